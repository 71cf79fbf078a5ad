"""The rectification ledger (整改台账): entries from tickets, notices, inspections or by hand,
progress notes, evidence, submission for checking, verification (销号); overdue is computed."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, case, func, literal, not_, or_
from sqlmodel import Session, col, select

from app.account.permissions import Permission
from app.account.service import Principal
from app.audit import service as audit_service
from app.core import clock
from app.core.batching import chunks
from app.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.core.pagination import Page, paginate
from app.supervision import common, policies
from app.supervision.labels import RECTIFICATION_SOURCE_LABELS
from app.supervision.models import (
    Inspection,
    InspectionUnit,
    Rectification,
    RectificationNote,
    RectificationSource,
    RectificationStatus,
    SupervisionFile,
    SupervisionNotice,
)
from app.ticket import policies as ticket_policies
from app.ticket.models import Ticket
from app.unit.models import Unit

TEXT_MAX = 5000
PERSON_MAX = 100
PUBLIC_SUMMARY_MAX = 1000
GroupBy = Literal["unit", "team", "source", "status"]

_EDITABLE = ("problem", "responsible_person", "measures", "deadline")


def _audit(
    session: Session, entry: Rectification, principal: Principal, action: str, data: dict[str, Any]
) -> None:
    audit_service.record(
        session,
        actor=principal.user,
        action=f"rectification.{action}",
        object_type="supervision_rectification",
        object_id=entry.id,
        data=data,
    )


def check_fields(
    *, problem: str, responsible_person: str, measures: str, deadline: date | str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The cleaned fields of an entry and the errors by field (empty when all is well)."""
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {
        "problem": common.required_text(
            errors, "problem", problem, "问题描述", max_length=TEXT_MAX
        ),
        "responsible_person": common.optional_text(
            errors, "responsible_person", responsible_person, "责任人", max_length=PERSON_MAX
        ),
        "measures": common.optional_text(
            errors, "measures", measures, "整改措施", max_length=TEXT_MAX
        ),
    }
    if isinstance(deadline, date):
        fields["deadline"] = deadline
    else:
        try:
            fields["deadline"] = date.fromisoformat((deadline or "").strip())
        except ValueError:
            errors["deadline"] = "请填写整改时限（日期）"
    return fields, errors


def create_rectification(
    session: Session,
    *,
    principal: Principal,
    team_id: int,
    unit_id: int,
    problem: str,
    deadline: date | str | None,
    source: RectificationSource = RectificationSource.MANUAL,
    responsible_person: str = "",
    measures: str = "",
    ticket_id: int | None = None,
    notice_id: int | None = None,
    inspection_id: int | None = None,
) -> Rectification:
    """A ledger entry of `team_id` about `unit_id`; only members of that team may add one."""
    if not policies.can_manage_team(principal, team_id, Permission.LEDGER_MANAGE):
        raise PermissionDenied("只有本监督单位的工作人员可以登记整改事项")
    fields, errors = check_fields(
        problem=problem,
        responsible_person=responsible_person,
        measures=measures,
        deadline=deadline,
    )
    unit = session.get(Unit, unit_id)
    if unit is None:
        errors["unit_id"] = "请选择责任单位"
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    entry = Rectification(
        team_id=team_id,
        unit_id=unit_id,
        source=RectificationSource(source),
        ticket_id=ticket_id,
        notice_id=notice_id,
        inspection_id=inspection_id,
        created_by_id=principal.user.id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(entry)
    session.flush()
    _audit(
        session,
        entry,
        principal,
        "created",
        {
            "source": entry.source,
            "team_id": team_id,
            "unit_id": unit_id,
            "ticket_id": ticket_id,
            "notice_id": notice_id,
            "inspection_id": inspection_id,
            "deadline": entry.deadline,
        },
    )
    return entry


def create_from_ticket(
    session: Session,
    *,
    principal: Principal,
    ticket_id: int,
    problem: str,
    deadline: date | str | None,
    responsible_person: str = "",
    measures: str = "",
    unit_id: int | None = None,
) -> Rectification:
    """An entry for a problem a ticket revealed; the unit defaults to the one complained about."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not ticket_policies.on_team(session, principal, ticket):
        raise NotFound("工单不存在")
    return create_rectification(
        session,
        principal=principal,
        team_id=ticket.team_id,
        unit_id=unit_id or ticket.unit_id,
        problem=problem,
        deadline=deadline,
        source=RectificationSource.TICKET,
        responsible_person=responsible_person,
        measures=measures,
        ticket_id=ticket_id,
    )


def create_from_notice(
    session: Session,
    *,
    principal: Principal,
    notice_id: int,
    problem: str | None = None,
    deadline: date | str | None = None,
    responsible_person: str = "",
    measures: str = "",
) -> Rectification:
    """An entry for (one problem of) an issued notice; defaults to its problems and due date."""
    notice = policies.readable_notice(session, principal, notice_id)
    if notice.issued_at is None:
        raise InvalidTransition("督办通知书下发后才能登记整改台账")
    due = clock.to_local(notice.due_at).date() if notice.due_at is not None else None
    return create_rectification(
        session,
        principal=principal,
        team_id=notice.team_id,
        unit_id=notice.unit_id,
        problem=notice.problems if problem is None else problem,
        deadline=deadline or due,
        source=RectificationSource.NOTICE,
        responsible_person=responsible_person,
        measures=measures,
        notice_id=notice_id,
        ticket_id=None,
        inspection_id=notice.inspection_id,
    )


def create_from_inspection(
    session: Session,
    *,
    principal: Principal,
    inspection_id: int,
    unit_id: int,
    problem: str,
    deadline: date | str | None,
    responsible_person: str = "",
    measures: str = "",
) -> Rectification:
    """A finding of an inspection, about one of the units inspected."""
    inspection = policies.readable_inspection(session, principal, inspection_id)
    inspected = session.exec(
        select(InspectionUnit.unit_id).where(col(InspectionUnit.inspection_id) == inspection_id)
    ).all()
    if unit_id not in inspected:
        raise ValidationFailed({"unit_id": "请选择本次检查涉及的单位"})
    return create_rectification(
        session,
        principal=principal,
        team_id=inspection.team_id,
        unit_id=unit_id,
        problem=problem,
        deadline=deadline,
        source=RectificationSource.INSPECTION,
        responsible_person=responsible_person,
        measures=measures,
        inspection_id=inspection_id,
    )


def _managed(session: Session, principal: Principal, entry_id: int) -> Rectification:
    entry = policies.readable_rectification(session, principal, entry_id)
    if not policies.can_manage_rectification(principal, entry):
        raise PermissionDenied("只有本监督单位的工作人员可以执行此操作")
    return entry


def _reported(session: Session, principal: Principal, entry_id: int) -> Rectification:
    entry = policies.readable_rectification(session, principal, entry_id)
    if not policies.can_report_rectification(session, principal, entry):
        raise PermissionDenied("您无权报送该整改事项")
    return entry


def update_rectification(
    session: Session,
    *,
    principal: Principal,
    entry_id: int,
    problem: str,
    deadline: date | str | None,
    responsible_person: str = "",
    measures: str = "",
) -> Rectification:
    """Correct an entry (the team); a verified (销号) entry is closed for good."""
    entry = _managed(session, principal, entry_id)
    if entry.status is RectificationStatus.VERIFIED:
        raise InvalidTransition("已销号的整改事项不能修改")
    fields, errors = check_fields(
        problem=problem,
        responsible_person=responsible_person,
        measures=measures,
        deadline=deadline,
    )
    if errors:
        raise ValidationFailed(errors)
    changed = {
        k: {"from": getattr(entry, k), "to": v} for k, v in fields.items() if getattr(entry, k) != v
    }
    for key in changed:
        setattr(entry, key, fields[key])
    entry.updated_at = clock.now()
    session.add(entry)
    session.flush()
    if changed:
        _audit(session, entry, principal, "updated", changed)
    return entry


def add_progress(
    session: Session,
    *,
    principal: Principal,
    entry_id: int,
    body: str,
    files: Sequence[tuple[str, bytes]] = (),
) -> RectificationNote:
    """A dated progress note (整改进展), with evidence files if any."""
    entry = _reported(session, principal, entry_id)
    if entry.status is RectificationStatus.VERIFIED:
        raise InvalidTransition("已销号的整改事项不能再报送进展")
    errors: dict[str, str] = {}
    text = common.required_text(errors, "body", body, "整改进展", max_length=TEXT_MAX)
    if errors:
        raise ValidationFailed(errors)
    cleaned = common.check_evidence(session, files, rectification_id=entry.id)
    stored = common.store_evidence(session, cleaned, principal=principal, rectification_id=entry.id)
    assert entry.id is not None
    note = RectificationNote(
        rectification_id=entry.id, body=text, author_id=principal.user.id, at=clock.now()
    )
    session.add(note)
    entry.updated_at = note.at
    session.add(entry)
    session.flush()
    _audit(
        session,
        entry,
        principal,
        "progressed",
        {"note_id": note.id, "file_ids": [f.id for f in stored]},
    )
    return note


def submit_rectification(
    session: Session,
    *,
    principal: Principal,
    entry_id: int,
    completion: str,
    files: Sequence[tuple[str, bytes]] = (),
) -> Rectification:
    """整改中 (or overdue) → 已整改待验收, with what was done (完成情况) and evidence."""
    entry = _reported(session, principal, entry_id)
    if entry.status is not RectificationStatus.IN_PROGRESS:
        raise InvalidTransition("只有整改中的事项可以报送验收")
    errors: dict[str, str] = {}
    text = common.required_text(errors, "completion", completion, "完成情况", max_length=TEXT_MAX)
    if errors:
        raise ValidationFailed(errors)
    cleaned = common.check_evidence(session, files, rectification_id=entry.id)
    stored = common.store_evidence(session, cleaned, principal=principal, rectification_id=entry.id)
    now = clock.now()
    late = is_overdue(entry, today=clock.to_local(now).date())
    entry.status = RectificationStatus.SUBMITTED
    entry.completion = text
    entry.submitted_at = now
    entry.submitted_by_id = principal.user.id
    entry.updated_at = now
    session.add(entry)
    session.flush()
    _audit(
        session,
        entry,
        principal,
        "submitted",
        {"status": entry.status, "late": late, "file_ids": [f.id for f in stored]},
    )
    return entry


def verify_rectification(
    session: Session, *, principal: Principal, entry_id: int, note: str, public_summary: str = ""
) -> Rectification:
    """The team checks the work and closes the entry (销号).

    `public_summary` (公开说明) is what the public timeline shows of the item: what was fixed,
    written for citizens, without personal names. Optional, so an entry that should not be
    published can still be closed; the pages encourage it.
    """
    entry = _managed(session, principal, entry_id)
    if entry.status is not RectificationStatus.SUBMITTED:
        raise InvalidTransition("只有已整改待验收的事项可以销号")
    errors: dict[str, str] = {}
    text = common.required_text(errors, "note", note, "销号意见", max_length=TEXT_MAX)
    summary = common.optional_text(
        errors, "public_summary", public_summary, "公开说明", max_length=PUBLIC_SUMMARY_MAX
    )
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    entry.status = RectificationStatus.VERIFIED
    entry.verification_note = text
    entry.public_summary = summary
    entry.verified_at = now
    entry.verified_by_id = principal.user.id
    entry.updated_at = now
    session.add(entry)
    session.flush()
    # The summary is public text anyway; record it so a later question "who published this"
    # has an answer in the audit log.
    _audit(
        session,
        entry,
        principal,
        "verified",
        {"status": entry.status, "public_summary": summary},
    )
    return entry


def reject_rectification(
    session: Session, *, principal: Principal, entry_id: int, reason: str
) -> Rectification:
    """Not good enough: back to 整改中 with the reasons (the deadline stays as it was)."""
    entry = _managed(session, principal, entry_id)
    if entry.status is not RectificationStatus.SUBMITTED:
        raise InvalidTransition("只有已整改待验收的事项可以退回")
    errors: dict[str, str] = {}
    text = common.required_text(errors, "reason", reason, "退回理由", max_length=TEXT_MAX)
    if errors:
        raise ValidationFailed(errors)
    entry.status = RectificationStatus.IN_PROGRESS
    entry.verification_note = text
    entry.updated_at = clock.now()
    session.add(entry)
    session.flush()
    _audit(session, entry, principal, "rejected", {"status": entry.status, "reason": text})
    return entry


# --- Reading ----------------------------------------------------------------------------------


def is_overdue(entry: Rectification, *, today: date | None = None) -> bool:
    """Still being rectified after the deadline day (the deadline day itself is on time)."""
    day = today or clock.today_local()
    return entry.status is RectificationStatus.IN_PROGRESS and entry.deadline < day


def effective_status(entry: Rectification, *, today: date | None = None) -> RectificationStatus:
    """The status to show and count: 逾期 replaces 整改中 once the deadline has passed."""
    return RectificationStatus.OVERDUE if is_overdue(entry, today=today) else entry.status


def _overdue_clause(today: date) -> ColumnElement[bool]:
    return and_(
        col(Rectification.status) == RectificationStatus.IN_PROGRESS,
        col(Rectification.deadline) < today,
    )


@dataclass(frozen=True)
class LedgerFilter:
    team_id: int | None = None
    unit_id: int | None = None
    include_descendants: bool = False  # with unit_id: the unit and every unit below it
    source: RectificationSource | None = None
    status: RectificationStatus | None = None  # OVERDUE and IN_PROGRESS are told apart by date
    year: int | None = None  # by creation date (local)
    created_from: date | None = None  # inclusive local dates of creation
    created_to: date | None = None


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=clock.LOCAL_TZ)


def _unit_condition(session: Session, filters: LedgerFilter) -> ColumnElement[bool] | None:
    if filters.unit_id is None:
        return None
    exact = col(Rectification.unit_id) == filters.unit_id
    if not filters.include_descendants:
        return exact
    unit = session.get(Unit, filters.unit_id)
    if unit is None:
        return exact
    below = select(Unit.id).where(col(Unit.path).startswith(f"{unit.path}{unit.id}/"))
    return or_(exact, col(Rectification.unit_id).in_(below))


def _filtered(
    session: Session,
    principal: Principal,
    filters: LedgerFilter,
    today: date,
    statement: Any = None,
    *,
    by_status: bool = True,
    by_source: bool = True,
) -> Any:
    """`statement` (default: the entries) narrowed by the filters and the principal's scope;
    by_status / by_source False leave that filter out (for the counts shown beside it)."""
    if statement is None:
        statement = select(Rectification)
    if filters.team_id is not None:
        statement = statement.where(col(Rectification.team_id) == filters.team_id)
    unit_condition = _unit_condition(session, filters)
    if unit_condition is not None:
        statement = statement.where(unit_condition)
    if by_source and filters.source is not None:
        statement = statement.where(col(Rectification.source) == filters.source)
    if not by_status or filters.status is None:
        pass
    elif filters.status is RectificationStatus.OVERDUE:
        statement = statement.where(_overdue_clause(today))
    elif filters.status is RectificationStatus.IN_PROGRESS:
        statement = statement.where(
            col(Rectification.status) == RectificationStatus.IN_PROGRESS,
            not_(_overdue_clause(today)),
        )
    else:
        statement = statement.where(col(Rectification.status) == filters.status)
    if filters.year is not None:
        statement = statement.where(
            col(Rectification.created_at) >= _year_start(filters.year),
            col(Rectification.created_at) < _year_start(filters.year + 1),
        )
    if filters.created_from is not None:
        statement = statement.where(
            col(Rectification.created_at) >= _local_midnight(filters.created_from)
        )
    if filters.created_to is not None:
        statement = statement.where(
            col(Rectification.created_at) < _local_midnight(filters.created_to + timedelta(days=1))
        )
    return policies.visible_rectifications(principal, statement)


def _year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=clock.LOCAL_TZ)


def _ordered(statement: Any) -> Any:
    return statement.order_by(col(Rectification.deadline), col(Rectification.id))


def list_rectifications(
    session: Session,
    *,
    principal: Principal,
    filters: LedgerFilter | None = None,
    today: date | None = None,
) -> list[Rectification]:
    """Entries the principal may see, by deadline then id (the ledger's usual order)."""
    day = today or clock.today_local()
    statement = _ordered(_filtered(session, principal, filters or LedgerFilter(), day))
    return list(session.exec(statement).all())


def search_rectifications(
    session: Session,
    *,
    principal: Principal,
    filters: LedgerFilter | None = None,
    page: int = 1,
    per_page: int = 50,
    today: date | None = None,
) -> Page[Rectification]:
    """One page of list_rectifications, counted in SQL."""
    day = today or clock.today_local()
    statement = _ordered(_filtered(session, principal, filters or LedgerFilter(), day))
    return paginate(session, statement, page=page, per_page=per_page)


def _status_key(today: date) -> Any:
    """The effective status as a SQL expression: 逾期 for open entries past their deadline."""
    return case(
        (_overdue_clause(today), literal(RectificationStatus.OVERDUE.value)),
        else_=col(Rectification.status),
    )


def count_rectifications(
    session: Session,
    *,
    principal: Principal,
    by: GroupBy,
    filters: LedgerFilter | None = None,
    today: date | None = None,
    ignore_own_filter: bool = False,
) -> dict[Any, int]:
    """Counts grouped by unit id, team id, source or effective status (逾期 counted apart),
    in one GROUP BY query. With `ignore_own_filter`, counts by status ignore the status filter
    and counts by source the source filter (what a row of filter links needs)."""
    day = today or clock.today_local()
    key: Any
    if by == "unit":
        key = col(Rectification.unit_id)
    elif by == "team":
        key = col(Rectification.team_id)
    elif by == "source":
        key = col(Rectification.source)
    else:
        key = _status_key(day)
    grouped = _filtered(
        session,
        principal,
        filters or LedgerFilter(),
        day,
        select(key, func.count()).select_from(Rectification),
        by_status=not (ignore_own_filter and by == "status"),
        by_source=not (ignore_own_filter and by == "source"),
    ).group_by(key)
    counts: dict[Any, int] = {}
    for value, number in session.execute(grouped).all():
        if by == "source":
            value = RectificationSource(value)
        elif by == "status":
            value = RectificationStatus(value)
        counts[value] = int(number)
    return counts


def get_rectification(session: Session, *, principal: Principal, entry_id: int) -> Rectification:
    return policies.readable_rectification(session, principal, entry_id)


def progress_notes(session: Session, *, entry: Rectification) -> list[RectificationNote]:
    return list(
        session.exec(
            select(RectificationNote)
            .where(col(RectificationNote.rectification_id) == entry.id)
            .order_by(col(RectificationNote.at), col(RectificationNote.id))
        ).all()
    )


def progress_notes_of(
    session: Session, *, entry_ids: Sequence[int]
) -> dict[int, list[RectificationNote]]:
    """The progress notes of many entries (an export), in a few queries instead of one each."""
    notes: dict[int, list[RectificationNote]] = {entry_id: [] for entry_id in entry_ids}
    for chunk in chunks(sorted(notes)):
        rows = session.exec(
            select(RectificationNote)
            .where(col(RectificationNote.rectification_id).in_(chunk))
            .order_by(col(RectificationNote.at), col(RectificationNote.id))
        ).all()
        for note in rows:
            notes[note.rectification_id].append(note)
    return notes


def load_sources(session: Session, entries: Sequence[Rectification]) -> None:
    """Load the tickets, notices and inspections the entries come from into the session at
    once, so that source_label_detail for each entry finds them without a query."""
    for model, ids in (
        (Ticket, {e.ticket_id for e in entries if e.ticket_id is not None}),
        (SupervisionNotice, {e.notice_id for e in entries if e.notice_id is not None}),
        (Inspection, {e.inspection_id for e in entries if e.inspection_id is not None}),
    ):
        for chunk in chunks(sorted(ids)):
            session.exec(select(model).where(col(model.id).in_(chunk))).all()


def entry_files(session: Session, *, entry: Rectification) -> list[SupervisionFile]:
    return common.list_files(session, rectification_id=entry.id)


def source_label_detail(session: Session, entry: Rectification) -> str:
    """Where the problem came from, with its reference: "督办通知 宁纪督〔2026〕3号"."""
    label = RECTIFICATION_SOURCE_LABELS[entry.source]
    if entry.ticket_id is not None:
        ticket = session.get(Ticket, entry.ticket_id)
        if ticket is not None:
            return f"{label} {ticket.number}"
    if entry.notice_id is not None:
        notice = session.get(SupervisionNotice, entry.notice_id)
        if notice is not None and notice.number:
            return f"{label} {notice.number}"
    if entry.inspection_id is not None:
        inspection = session.get(Inspection, entry.inspection_id)
        if inspection is not None:
            return f"{label} {inspection.held_on:%Y-%m-%d} {inspection.subject}"
    return label


def get_file(
    session: Session, *, principal: Principal, entry_id: int, file_id: int
) -> tuple[Rectification, SupervisionFile, bytes]:
    """An evidence file of an entry the principal may read (else NotFound)."""
    entry = policies.readable_rectification(session, principal, entry_id)
    row = session.get(SupervisionFile, file_id)
    if row is None or row.rectification_id != entry.id:
        raise NotFound("附件不存在")
    return entry, row, common.read_file(row)


def entries_for_notice(
    session: Session, *, principal: Principal, notice_id: int
) -> list[Rectification]:
    """The ledger entries made from a notice that the principal may see, oldest first."""
    return linked_entries(session, principal=principal, notice_id=notice_id)


def linked_entries(
    session: Session,
    *,
    principal: Principal,
    ticket_id: int | None = None,
    notice_id: int | None = None,
    inspection_id: int | None = None,
) -> list[Rectification]:
    """The ledger entries already made from the given ticket, notice or inspection that the
    principal may see, oldest first — so that the same problem is not entered twice."""
    links = (
        (Rectification.ticket_id, ticket_id),
        (Rectification.notice_id, notice_id),
        (Rectification.inspection_id, inspection_id),
    )
    where = [col(column) == value for column, value in links if value is not None]
    if not where:
        return []
    statement = policies.visible_rectifications(principal, select(Rectification).where(*where))
    return list(session.exec(statement.order_by(col(Rectification.id))).all())
