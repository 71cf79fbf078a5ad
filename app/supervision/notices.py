"""Supervision notices (督办通知书): draft, issue with a number, sign, respond, accept or return.

Every change is audited in the caller's transaction; services flush and never commit.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.account.permissions import Permission
from app.account.service import Principal
from app.audit import service as audit_service
from app.calendar.service import load_calendar
from app.config import get_settings
from app.core import clock
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.workcalendar import DeadlineUnit, Progress
from app.supervision import common, numbering, policies
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


# --- Overdue escalation -----------------------------------------------------------------------


@dataclass
class NoticeTickReport:
    lead_notified: list[str]
    escalated: list[str]


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
