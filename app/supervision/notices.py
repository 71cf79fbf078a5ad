"""Supervision notices (督办通知书): draft, issue with a number, sign, respond, accept or return.

Every change is audited in the caller's transaction; services flush and never commit.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.account.models import User
from app.account.permissions import Permission
from app.account.service import Principal
from app.audit import service as audit_service
from app.audit.models import AuditEvent
from app.calendar.service import load_calendar
from app.config import get_settings
from app.core import clock
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.pagination import Page, paginate
from app.core.workcalendar import DeadlineUnit, Progress
from app.supervision import common, notice_notifications, numbering, policies, workflow
from app.supervision.models import (
    NOTICE_OPEN_STATUSES,
    NoticeStatus,
    NoticeTicket,
    SupervisionFile,
    SupervisionNotice,
)
from app.supervision.workflow import Action, transition
from app.ticket import policies as ticket_policies
from app.ticket.models import Ticket
from app.unit.models import Team, Unit

PROBLEMS_MAX = 5000
TITLE_MAX = 200
BATCH = 500


def _audit(
    session: Session,
    notice: SupervisionNotice,
    principal: Principal | None,
    action: str,
    data: dict[str, Any],
) -> None:
    audit_service.record(
        session,
        actor=principal.user if principal is not None else None,
        action=f"notice.{action}",
        object_type="supervision_notice",
        object_id=notice.id,
        data=data,
    )


def _check_fields(
    *, problems: str, requirements: str, deadline_days: int | str, title: str
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    fields = {
        "problems": common.required_text(
            errors, "problems", problems, "存在的问题", max_length=PROBLEMS_MAX
        ),
        "requirements": common.required_text(
            errors, "requirements", requirements, "整改要求", max_length=PROBLEMS_MAX
        ),
        "deadline_days": common.working_days(errors, "deadline_days", deadline_days),
        "title": common.optional_text(errors, "title", title, "标题", max_length=TITLE_MAX),
    }
    return fields, errors


def _check_tickets(
    session: Session, principal: Principal, team_id: int, ticket_ids: Iterable[int]
) -> list[Ticket]:
    tickets = []
    for ticket_id in dict.fromkeys(ticket_ids):
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or not ticket_policies.on_team(session, principal, ticket):
            raise NotFound("工单不存在")
        if ticket.team_id != team_id:
            raise ValidationFailed({"ticket_ids": f"工单 {ticket.number} 不属于本监督单位"})
        tickets.append(ticket)
    return tickets


def _require_team(principal: Principal, team_id: int) -> None:
    if not principal.can(Permission.NOTICE_READ) or team_id not in policies.team_ids(principal):
        raise PermissionDenied("只有本监督单位的工作人员可以拟制督办通知书")


def create_notice(
    session: Session,
    *,
    principal: Principal,
    team_id: int,
    unit_id: int,
    problems: str,
    requirements: str,
    deadline_days: int | str,
    title: str = "",
    ticket_ids: Sequence[int] = (),
    inspection_id: int | None = None,
) -> SupervisionNotice:
    """A draft notice of `team_id` to `unit_id` (members draft, the lead issues)."""
    _require_team(principal, team_id)
    fields, errors = _check_fields(
        problems=problems, requirements=requirements, deadline_days=deadline_days, title=title
    )
    unit = session.get(Unit, unit_id)
    if unit is None or not unit.is_active:
        errors["unit_id"] = "请选择被督办单位"
    if errors:
        raise ValidationFailed(errors)
    if inspection_id is not None:
        inspection = policies.readable_inspection(session, principal, inspection_id)
        if inspection.team_id != team_id:
            raise NotFound("监督检查记录不存在")
    tickets = _check_tickets(session, principal, team_id, ticket_ids)
    now = clock.now()
    notice = SupervisionNotice(
        team_id=team_id,
        unit_id=unit_id,
        inspection_id=inspection_id,
        created_by_id=principal.user.id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(notice)
    session.flush()
    assert notice.id is not None
    for ticket in tickets:
        assert ticket.id is not None
        session.add(NoticeTicket(notice_id=notice.id, ticket_id=ticket.id))
    session.flush()
    _audit(
        session,
        notice,
        principal,
        "drafted",
        {
            "team_id": team_id,
            "unit_id": unit_id,
            "deadline_days": fields["deadline_days"],
            "ticket_ids": [t.id for t in tickets],
            "inspection_id": inspection_id,
        },
    )
    return notice


def update_draft(
    session: Session,
    *,
    principal: Principal,
    notice_id: int,
    problems: str,
    requirements: str,
    deadline_days: int | str,
    title: str = "",
) -> SupervisionNotice:
    notice = policies.readable_notice(session, principal, notice_id)
    transition(notice.status, Action.EDIT, policies.roles_on_notice(session, principal, notice))
    fields, errors = _check_fields(
        problems=problems, requirements=requirements, deadline_days=deadline_days, title=title
    )
    if errors:
        raise ValidationFailed(errors)
    changed = {k: v for k, v in fields.items() if getattr(notice, k) != v}
    for key, value in changed.items():
        setattr(notice, key, value)
    notice.updated_at = clock.now()
    session.add(notice)
    session.flush()
    if changed:
        _audit(session, notice, principal, "updated", {"fields": sorted(changed)})
    return notice


def _locked_notice(session: Session, notice_id: int) -> SupervisionNotice:
    # Lock order everywhere: notice row → numbering row → audit chain (no deadlocks).
    notice = session.exec(
        select(SupervisionNotice)
        .where(col(SupervisionNotice.id) == notice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if notice is None:
        raise NotFound("督办通知书不存在")
    return notice


def _set_due(session: Session, notice: SupervisionNotice, start: datetime) -> None:
    due = load_calendar(session).add_working_days(start, notice.deadline_days)
    notice.due_at = due.due_at
    notice.due_explanation = due.explanation[:500]
    notice.overdue_level = 0


def issue_notice(session: Session, *, principal: Principal, notice_id: int) -> SupervisionNotice:
    """Number the draft (宁纪督〔2026〕12号), date it and start the unit's clock (lead only)."""
    notice = policies.readable_notice(session, principal, notice_id)
    roles = policies.roles_on_notice(session, principal, notice)
    transition(notice.status, Action.ISSUE, roles)
    notice = _locked_notice(session, notice_id)
    to = transition(notice.status, Action.ISSUE, roles)  # re-checked under the lock
    number = numbering.allocate(session, team_id=notice.team_id)
    now = clock.now()
    notice.status = to
    notice.number = str(number)
    notice.year = number.year
    notice.sequence = number.sequence
    notice.issued_at = now
    notice.issued_by_id = principal.user.id
    notice.updated_at = now
    _set_due(session, notice, now)
    session.add(notice)
    session.flush()
    _audit(
        session,
        notice,
        principal,
        "issued",
        {"number": notice.number, "due_at": notice.due_at, "status": to},
    )
    notice_notifications.issued(session, notice)
    return notice


def issue_notice_for_ticket(
    session: Session,
    *,
    principal: Principal,
    ticket_id: int,
    problems: str,
    requirements: str,
    deadline_days: int | str,
    unit_id: int | None = None,
    title: str = "",
) -> SupervisionNotice:
    """One step from an (overdue) ticket: a notice of the ticket's team to the unit handling it
    (else the unit complained about), drafted and issued at once."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not ticket_policies.on_team(session, principal, ticket):
        raise NotFound("工单不存在")
    if ticket.team_id not in principal.led_team_ids or not principal.can(Permission.NOTICE_ISSUE):
        raise PermissionDenied("只有监督单位负责人可以下发督办通知书")
    target = unit_id or ticket.handling_unit_id or ticket.unit_id
    notice = create_notice(
        session,
        principal=principal,
        team_id=ticket.team_id,
        unit_id=target,
        problems=problems,
        requirements=requirements,
        deadline_days=deadline_days,
        title=title,
        ticket_ids=[ticket_id],
    )
    assert notice.id is not None
    return issue_notice(session, principal=principal, notice_id=notice.id)


def sign_notice(session: Session, *, principal: Principal, notice_id: int) -> SupervisionNotice:
    """The unit signs for the notice (签收)."""
    notice = policies.readable_notice(session, principal, notice_id)
    to = transition(
        notice.status, Action.SIGN, policies.roles_on_notice(session, principal, notice)
    )
    now = clock.now()
    notice.status = to
    notice.signed_at = now
    notice.signed_by_id = principal.user.id
    notice.updated_at = now
    session.add(notice)
    session.flush()
    _audit(session, notice, principal, "signed", {"status": to})
    return notice


def respond_notice(
    session: Session,
    *,
    principal: Principal,
    notice_id: int,
    report: str,
    files: Sequence[tuple[str, bytes]] = (),
) -> SupervisionNotice:
    """The unit's rectification report (整改报告) with evidence files; answers a return too."""
    notice = policies.readable_notice(session, principal, notice_id)
    to = transition(
        notice.status, Action.RESPOND, policies.roles_on_notice(session, principal, notice)
    )
    errors: dict[str, str] = {}
    text = common.required_text(errors, "report", report, "整改报告", max_length=PROBLEMS_MAX)
    if errors:
        raise ValidationFailed(errors)
    cleaned = common.check_evidence(session, files, notice_id=notice.id)
    stored = common.store_evidence(session, cleaned, principal=principal, notice_id=notice.id)
    now = clock.now()
    notice.status = to
    notice.response = text
    notice.responded_at = now
    notice.responded_by_id = principal.user.id
    notice.updated_at = now
    session.add(notice)
    session.flush()
    _audit(
        session,
        notice,
        principal,
        "responded",
        {"status": to, "file_ids": [f.id for f in stored], "late": is_overdue(notice, now=now)},
    )
    notice_notifications.responded(session, notice)
    return notice


def accept_notice(
    session: Session, *, principal: Principal, notice_id: int, note: str = ""
) -> SupervisionNotice:
    """The lead accepts the unit's report; the notice is done."""
    notice = policies.readable_notice(session, principal, notice_id)
    to = transition(
        notice.status, Action.ACCEPT, policies.roles_on_notice(session, principal, notice)
    )
    errors: dict[str, str] = {}
    text = common.optional_text(errors, "note", note, "审核意见", max_length=PROBLEMS_MAX)
    if errors:
        raise ValidationFailed(errors)
    _review(session, notice, principal, to, text)
    _audit(session, notice, principal, "accepted", {"status": to})
    return notice


def return_notice(
    session: Session,
    *,
    principal: Principal,
    notice_id: int,
    reason: str,
    deadline_days: int | str | None = None,
) -> SupervisionNotice:
    """The lead returns the report with reasons; optionally with a fresh deadline from now."""
    notice = policies.readable_notice(session, principal, notice_id)
    to = transition(
        notice.status, Action.RETURN, policies.roles_on_notice(session, principal, notice)
    )
    errors: dict[str, str] = {}
    text = common.required_text(errors, "reason", reason, "退回理由", max_length=PROBLEMS_MAX)
    days = None
    if deadline_days not in (None, ""):
        assert deadline_days is not None
        days = common.working_days(errors, "deadline_days", deadline_days)
    if errors:
        raise ValidationFailed(errors)
    _review(session, notice, principal, to, text)
    notice.return_count += 1
    data: dict[str, Any] = {"status": to, "reason": text}
    if days is not None:
        notice.deadline_days = days
        _set_due(session, notice, clock.now())
        data["due_at"] = notice.due_at
    session.add(notice)
    session.flush()
    _audit(session, notice, principal, "returned", data)
    return notice


def _review(
    session: Session,
    notice: SupervisionNotice,
    principal: Principal,
    to: NoticeStatus,
    note: str,
) -> None:
    now = clock.now()
    notice.status = to
    notice.review_note = note
    notice.reviewed_at = now
    notice.reviewed_by_id = principal.user.id
    notice.updated_at = now
    session.add(notice)
    session.flush()


# --- Reading ----------------------------------------------------------------------------------


def is_overdue(notice: SupervisionNotice, *, now: datetime | None = None) -> bool:
    """The unit still owes an answer (not signed, rectifying, or returned) past the due time."""
    moment = now or clock.now()
    return (
        notice.status in NOTICE_OPEN_STATUSES
        and notice.due_at is not None
        and moment > notice.due_at
    )


def deadline_progress(
    session: Session, notice: SupervisionNotice, *, now: datetime | None = None
) -> Progress | None:
    """Green / yellow (≥ 80 %) / red for an open notice; None when no clock runs."""
    if notice.status not in NOTICE_OPEN_STATUSES or notice.due_at is None:
        return None
    start = notice.reviewed_at if notice.status is NoticeStatus.RETURNED else notice.issued_at
    assert start is not None
    return load_calendar(session).progress(
        start, notice.due_at, now or clock.now(), unit=DeadlineUnit.WORKING
    )


def get_notice(session: Session, *, principal: Principal, notice_id: int) -> SupervisionNotice:
    return policies.readable_notice(session, principal, notice_id)


def notice_tickets(session: Session, *, notice: SupervisionNotice) -> list[Ticket]:
    return list(
        session.exec(
            select(Ticket)
            .join(NoticeTicket, col(NoticeTicket.ticket_id) == col(Ticket.id))
            .where(col(NoticeTicket.notice_id) == notice.id)
            .order_by(col(Ticket.id))
        ).all()
    )


def notice_files(session: Session, *, notice: SupervisionNotice) -> list[SupervisionFile]:
    return common.list_files(session, notice_id=notice.id)


def notices_for_ticket(
    session: Session, *, principal: Principal, ticket_id: int
) -> list[SupervisionNotice]:
    statement = (
        select(SupervisionNotice)
        .join(NoticeTicket, col(NoticeTicket.notice_id) == col(SupervisionNotice.id))
        .where(col(NoticeTicket.ticket_id) == ticket_id)
        .order_by(col(SupervisionNotice.id))
    )
    return list(session.exec(policies.visible_notices(principal, statement)).all())


def list_notices(
    session: Session,
    *,
    principal: Principal,
    team_id: int | None = None,
    unit_id: int | None = None,
    status: NoticeStatus | None = None,
    overdue: bool | None = None,
    year: int | None = None,
    now: datetime | None = None,
) -> list[SupervisionNotice]:
    """Notices the principal may see, newest first; `overdue=True` keeps the late ones only."""
    statement = select(SupervisionNotice)
    if team_id is not None:
        statement = statement.where(col(SupervisionNotice.team_id) == team_id)
    if unit_id is not None:
        statement = statement.where(col(SupervisionNotice.unit_id) == unit_id)
    if status is not None:
        statement = statement.where(col(SupervisionNotice.status) == status)
    if year is not None:
        statement = statement.where(col(SupervisionNotice.year) == year)
    if overdue is not None:
        late = col(SupervisionNotice.status).in_(sorted(NOTICE_OPEN_STATUSES)) & (
            col(SupervisionNotice.due_at) < (now or clock.now())
        )
        statement = statement.where(late if overdue else ~late)
    statement = statement.order_by(col(SupervisionNotice.id).desc())
    return list(session.exec(policies.visible_notices(principal, statement)).all())


@dataclass(frozen=True)
class NoticeQuery:
    """Filters of the notice list (page and API): issued dates are local calendar dates."""

    status: NoticeStatus | None = None
    overdue: bool = False
    team_id: int | None = None
    unit_id: int | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    page: int = 1
    per_page: int = 25


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def _late(now: datetime) -> ColumnElement[bool]:
    return col(SupervisionNotice.status).in_(sorted(NOTICE_OPEN_STATUSES)) & (
        col(SupervisionNotice.due_at) < now
    )


def _filtered(
    principal: Principal, query: NoticeQuery, now: datetime, *, by_status: bool = True
) -> SelectOfScalar[SupervisionNotice]:
    statement = policies.visible_notices(principal, select(SupervisionNotice))
    if query.team_id is not None:
        statement = statement.where(col(SupervisionNotice.team_id) == query.team_id)
    if query.unit_id is not None:
        statement = statement.where(col(SupervisionNotice.unit_id) == query.unit_id)
    if query.issued_from is not None:
        statement = statement.where(
            col(SupervisionNotice.issued_at) >= _local_midnight(query.issued_from)
        )
    if query.issued_to is not None:
        statement = statement.where(
            col(SupervisionNotice.issued_at) < _local_midnight(query.issued_to + timedelta(days=1))
        )
    if by_status and query.status is not None:
        statement = statement.where(col(SupervisionNotice.status) == query.status)
    if by_status and query.overdue:
        statement = statement.where(_late(now))
    return statement


def search_notices(
    session: Session, *, principal: Principal, query: NoticeQuery, now: datetime | None = None
) -> Page[SupervisionNotice]:
    """One page of the notices the principal may see, newest first (drafts by creation)."""
    moment = now or clock.now()
    statement = _filtered(principal, query, moment).order_by(col(SupervisionNotice.id).desc())
    return paginate(session, statement, page=query.page, per_page=query.per_page)


def status_counts(
    session: Session, *, principal: Principal, query: NoticeQuery, now: datetime | None = None
) -> dict[str, int]:
    """Visible notices per status value under the other filters, plus "overdue" and "all"."""
    moment = now or clock.now()
    base = _filtered(principal, query, moment, by_status=False).subquery()
    rows = session.execute(select(base.c.status, func.count()).group_by(base.c.status)).all()
    counts = {NoticeStatus(status).value: int(n) for status, n in rows}
    late = session.execute(
        select(func.count()).select_from(
            _filtered(principal, query, moment, by_status=False).where(_late(moment)).subquery()
        )
    ).scalar_one()
    counts["overdue"] = int(late)
    counts["all"] = sum(n for key, n in counts.items() if key != "overdue")
    return counts


@dataclass(frozen=True)
class TimelineStep:
    """One event in a notice's life, as the detail page lists it."""

    action: str  # drafted, updated, issued, signed, responded, returned, accepted, overdue, …
    label: str
    at: datetime
    actor: str  # display name, or "系统" for the overdue tick
    note: str  # the reasons of a return, the decision note, the number issued …


TIMELINE_LABELS = {
    "drafted": "拟制草稿",
    "updated": "修改草稿",
    "issued": "签发下达",
    "signed": "签收",
    "responded": "报送整改报告",
    "returned": "退回重新整改",
    "accepted": "审核通过",
    "overdue": "超期，已提醒负责人",
    "escalated": "超期，已报上级监督单位",
}
# What the addressed unit sees: nothing of the team's drafting or internal escalation.
UNIT_TIMELINE = frozenset({"issued", "signed", "responded", "returned", "accepted"})


def timeline(session: Session, *, notice: SupervisionNotice, team_view: bool) -> list[TimelineStep]:
    """Issued / signed / responded / returned / accepted … with people and times, read from the
    notice's audit events (the only record of every return and its reasons)."""
    events = session.exec(
        select(AuditEvent)
        .where(
            col(AuditEvent.object_type) == "supervision_notice",
            col(AuditEvent.object_id) == str(notice.id),
        )
        .order_by(col(AuditEvent.id))
    ).all()
    actor_ids = {event.actor_id for event in events if event.actor_id is not None}
    names = {
        user.id: user.display_name or user.username
        for user in session.exec(select(User).where(col(User.id).in_(sorted(actor_ids)))).all()
    }
    steps = []
    for event in events:
        action = event.action.removeprefix("notice.")
        if action not in TIMELINE_LABELS or (not team_view and action not in UNIT_TIMELINE):
            continue
        data = event.data or {}
        note = ""
        if action == "returned":
            note = str(data.get("reason", ""))
        elif action == "issued":
            note = str(data.get("number", ""))
        actor = names.get(event.actor_id, event.actor_label) if event.actor_id else "系统"
        steps.append(TimelineStep(action, TIMELINE_LABELS[action], event.created_at, actor, note))
    return steps


def allowed_actions(
    session: Session, *, principal: Principal, notice: SupervisionNotice
) -> list[Action]:
    """What this principal may do next to this notice, in display order."""
    return workflow.allowed_actions(
        notice.status, policies.roles_on_notice(session, principal, notice)
    )


def get_file(
    session: Session, *, principal: Principal, notice_id: int, file_id: int
) -> tuple[SupervisionNotice, SupervisionFile, bytes]:
    """An evidence file of a notice the principal may read; anything else is NotFound."""
    notice = policies.readable_notice(session, principal, notice_id)
    row = session.get(SupervisionFile, file_id)
    if row is None or row.notice_id != notice.id:
        raise NotFound("附件不存在")
    return notice, row, common.read_file(row)


# --- Overdue escalation -----------------------------------------------------------------------


@dataclass
class NoticeTickReport:
    lead_notified: list[str]
    escalated: list[str]

    def __str__(self) -> str:
        return (
            f"督办通知书超期提醒负责人 {len(self.lead_notified)} 件，"
            f"升级上级监督单位 {len(self.escalated)} 件"
        )


def tick(session: Session, *, now: datetime | None = None) -> NoticeTickReport:
    """Overdue notices: flag them to the team lead, then after escalate_after_working_days more
    to the parent team — the same ladder as tickets (app.ticket.overdue). Flushes only."""
    moment = now or clock.now()
    report = NoticeTickReport([], [])
    statement = (
        select(SupervisionNotice)
        .where(
            col(SupervisionNotice.status).in_(sorted(NOTICE_OPEN_STATUSES)),
            col(SupervisionNotice.due_at) < moment,
            col(SupervisionNotice.overdue_level) < 2,
        )
        .order_by(col(SupervisionNotice.id))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    calendar = load_calendar(session)
    escalate_after = get_settings().escalate_after_working_days
    for notice in session.exec(statement).all():
        assert notice.due_at is not None
        assert notice.number is not None
        if notice.overdue_level == 0:
            notice.overdue_level = 1
            session.add(notice)
            _audit(session, notice, None, "overdue", {"level": 1, "team_id": notice.team_id})
            notice_notifications.overdue(session, notice, level=1, team_id=notice.team_id)
            report.lead_notified.append(notice.number)
        elif calendar.add_working_days(notice.due_at, escalate_after).due_at < moment:
            team = session.get(Team, notice.team_id)
            parent_id = team.parent_id if team is not None else None
            notice.overdue_level = 2
            session.add(notice)
            _audit(
                session,
                notice,
                None,
                "escalated",
                {"level": 2, "team_id": notice.team_id, "parent_team_id": parent_id},
            )
            # At the top of the tree the team's own lead is reminded once more.
            notice_notifications.overdue(
                session, notice, level=2, team_id=parent_id or notice.team_id
            )
            report.escalated.append(notice.number)
    session.flush()
    return report


def escalated_to(session: Session, *, team_id: int) -> list[SupervisionNotice]:
    """Notices of the team's child teams that escalated to it (level 2), for its overview."""
    children = select(Team.id).where(col(Team.parent_id) == team_id)
    return list(
        session.exec(
            select(SupervisionNotice)
            .where(
                col(SupervisionNotice.team_id).in_(children),
                col(SupervisionNotice.overdue_level) == 2,
                col(SupervisionNotice.status).in_(sorted(NOTICE_OPEN_STATUSES)),
            )
            .order_by(col(SupervisionNotice.due_at))
        ).all()
    )
