"""Inspections (监督检查) and their findings, talks (谈心谈话 / 廉政谈话), yearly figures."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.account.permissions import Permission
from app.account.service import Principal
from app.audit import service as audit_service
from app.core import clock
from app.core.errors import PermissionDenied, ValidationFailed
from app.core.pagination import Page, paginate
from app.supervision import common, ledger, policies
from app.supervision.models import (
    Inspection,
    InspectionUnit,
    Rectification,
    RectificationStatus,
    Talk,
    TalkKind,
)
from app.unit.models import Unit

SUBJECT_MAX = 200
PEOPLE_MAX = 500


@dataclass(frozen=True)
class Finding:
    """A problem found during an inspection; becomes a ledger entry."""

    unit_id: int
    problem: str
    deadline: date | str | None
    responsible_person: str = ""
    measures: str = ""


def _parse_day(errors: dict[str, str], field: str, value: date | str, label: str) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        errors[field] = f"请填写{label}"
        return None


def record_inspection(
    session: Session,
    *,
    principal: Principal,
    team_id: int,
    held_on: date | str,
    subject: str,
    unit_ids: Sequence[int],
    people: str = "",
    summary: str = "",
    findings: Sequence[Finding] = (),
) -> tuple[Inspection, list[Rectification]]:
    """An inspection of one or more units; each finding becomes a ledger entry at once."""
    if not policies.can_manage_team(principal, team_id, Permission.INSPECTION_MANAGE):
        raise PermissionDenied("只有本监督单位的工作人员可以登记监督检查")
    errors: dict[str, str] = {}
    day = _parse_day(errors, "held_on", held_on, "检查日期")
    fields: dict[str, Any] = {
        "subject": common.required_text(
            errors, "subject", subject, "检查事项", max_length=SUBJECT_MAX
        ),
        "people": common.optional_text(errors, "people", people, "参加人员", max_length=PEOPLE_MAX),
        "summary": common.optional_text(errors, "summary", summary, "检查情况"),
    }
    units = list(dict.fromkeys(unit_ids))
    if not units or any(session.get(Unit, unit_id) is None for unit_id in units):
        errors["unit_ids"] = "请选择被检查单位"
    if any(f.unit_id not in units for f in findings):
        errors["findings"] = "发现的问题须属于被检查单位"
    # Check every finding before anything is written: an inspection is recorded with all of
    # its findings or not at all. Errors are keyed findings-<n>-<field>, n from 1.
    for number, finding in enumerate(findings, start=1):
        _fields, finding_errors = ledger.check_fields(
            problem=finding.problem,
            responsible_person=finding.responsible_person,
            measures=finding.measures,
            deadline=finding.deadline,
        )
        for name, message in finding_errors.items():
            errors[f"findings-{number}-{name}"] = f"第 {number} 条问题：{message}"
    if errors:
        raise ValidationFailed(errors)
    assert day is not None
    inspection = Inspection(
        team_id=team_id,
        held_on=day,
        created_by_id=principal.user.id,
        created_at=clock.now(),
        **fields,
    )
    session.add(inspection)
    session.flush()
    assert inspection.id is not None
    for unit_id in units:
        session.add(InspectionUnit(inspection_id=inspection.id, unit_id=unit_id))
    session.flush()
    audit_service.record(
        session,
        actor=principal.user,
        action="inspection.recorded",
        object_type="supervision_inspection",
        object_id=inspection.id,
        data={"team_id": team_id, "held_on": day, "unit_ids": units, "findings": len(findings)},
    )
    entries = [
        ledger.create_from_inspection(
            session,
            principal=principal,
            inspection_id=inspection.id,
            unit_id=finding.unit_id,
            problem=finding.problem,
            deadline=finding.deadline,
            responsible_person=finding.responsible_person,
            measures=finding.measures,
        )
        for finding in findings
    ]
    return inspection, entries


def inspection_units(session: Session, *, inspection: Inspection) -> list[Unit]:
    return list(
        session.exec(
            select(Unit)
            .join(InspectionUnit, col(InspectionUnit.unit_id) == col(Unit.id))
            .where(col(InspectionUnit.inspection_id) == inspection.id)
            .order_by(col(Unit.path))
        ).all()
    )


def list_inspections(
    session: Session, *, principal: Principal, team_id: int | None = None
) -> list[Inspection]:
    statement = select(Inspection)
    if team_id is not None:
        statement = statement.where(col(Inspection.team_id) == team_id)
    statement = statement.order_by(col(Inspection.held_on).desc(), col(Inspection.id).desc())
    return list(session.exec(policies.visible_inspections(principal, statement)).all())


def get_inspection(session: Session, *, principal: Principal, inspection_id: int) -> Inspection:
    return policies.readable_inspection(session, principal, inspection_id)


def search_inspections(
    session: Session,
    *,
    principal: Principal,
    team_id: int | None = None,
    held_from: date | None = None,
    held_to: date | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page[Inspection]:
    """Inspections the principal may see, newest first, one page."""
    statement = select(Inspection)
    if team_id is not None:
        statement = statement.where(col(Inspection.team_id) == team_id)
    if held_from is not None:
        statement = statement.where(col(Inspection.held_on) >= held_from)
    if held_to is not None:
        statement = statement.where(col(Inspection.held_on) <= held_to)
    statement = statement.order_by(col(Inspection.held_on).desc(), col(Inspection.id).desc())
    return paginate(
        session, policies.visible_inspections(principal, statement), page=page, per_page=per_page
    )


def units_of(session: Session, inspection_ids: Sequence[int]) -> dict[int, list[Unit]]:
    """The inspected units of each inspection, for a list page (one query)."""
    found: dict[int, list[Unit]] = {i: [] for i in inspection_ids}
    if not inspection_ids:
        return found
    rows = session.exec(
        select(InspectionUnit.inspection_id, Unit)
        .join(Unit, col(Unit.id) == col(InspectionUnit.unit_id))
        .where(col(InspectionUnit.inspection_id).in_(list(inspection_ids)))
        .order_by(col(Unit.path), col(Unit.code))
    ).all()
    for inspection_id, unit in rows:
        found[inspection_id].append(unit)
    return found


def finding_counts(session: Session, inspection_ids: Sequence[int]) -> dict[int, int]:
    """How many ledger entries each inspection produced."""
    if not inspection_ids:
        return {}
    rows = session.exec(
        select(Rectification.inspection_id, func.count())
        .where(col(Rectification.inspection_id).in_(list(inspection_ids)))
        .group_by(col(Rectification.inspection_id))
    ).all()
    return {int(i): int(n) for i, n in rows if i is not None}


def inspection_entries(session: Session, *, inspection: Inspection) -> list[Rectification]:
    """The ledger entries of an inspection's findings (all of the team's, as its record)."""
    return list(
        session.exec(
            select(Rectification)
            .where(col(Rectification.inspection_id) == inspection.id)
            .order_by(col(Rectification.id))
        ).all()
    )


# --- Talks ------------------------------------------------------------------------------------


def record_talk(
    session: Session,
    *,
    principal: Principal,
    team_id: int,
    kind: TalkKind | str,
    held_on: date | str,
    interviewees: str,
    person_count: int | str | None = None,
    interviewers: str = "",
    summary: str = "",
    unit_id: int | None = None,
) -> Talk:
    """A talk record; `person_count` defaults to the number of lines in `interviewees`."""
    if not policies.can_manage_team(principal, team_id, Permission.TALK_MANAGE):
        raise PermissionDenied("只有本监督单位的工作人员可以登记谈话")
    errors: dict[str, str] = {}
    try:
        talk_kind = TalkKind(kind)
    except ValueError:
        errors["kind"] = "请选择谈话类型"
    day = _parse_day(errors, "held_on", held_on, "谈话日期")
    people = common.required_text(errors, "interviewees", interviewees, "谈话对象", max_length=1000)
    names = [line.strip() for line in people.splitlines() if line.strip()]
    count = len(names) or 1
    if person_count not in (None, ""):
        try:
            count = int(person_count)
        except (TypeError, ValueError):
            count = 0
        if not 1 <= count <= 1000:
            errors["person_count"] = "请填写谈话人次（1–1000）"
    texts: dict[str, Any] = {
        "interviewers": common.optional_text(
            errors, "interviewers", interviewers, "谈话人", max_length=PEOPLE_MAX
        ),
        "summary": common.optional_text(errors, "summary", summary, "谈话情况"),
    }
    if unit_id is not None and session.get(Unit, unit_id) is None:
        errors["unit_id"] = "请选择单位"
    if errors:
        raise ValidationFailed(errors)
    assert day is not None
    talk = Talk(
        team_id=team_id,
        kind=talk_kind,
        held_on=day,
        unit_id=unit_id,
        interviewees=people,
        person_count=count,
        created_by_id=principal.user.id,
        created_at=clock.now(),
        **texts,
    )
    session.add(talk)
    session.flush()
    # Who was talked to and what was said stay out of the audit log (it is readable by admins).
    audit_service.record(
        session,
        actor=principal.user,
        action="talk.recorded",
        object_type="supervision_talk",
        object_id=talk.id,
        data={"team_id": team_id, "kind": talk_kind, "held_on": day, "person_count": count},
    )
    return talk


def list_talks(session: Session, *, principal: Principal, team_id: int | None = None) -> list[Talk]:
    statement = select(Talk)
    if team_id is not None:
        statement = statement.where(col(Talk.team_id) == team_id)
    statement = statement.order_by(col(Talk.held_on).desc(), col(Talk.id).desc())
    return list(session.exec(policies.visible_talks(principal, statement)).all())


def get_talk(session: Session, *, principal: Principal, talk_id: int) -> Talk:
    return policies.readable_talk(session, principal, talk_id)


def search_talks(
    session: Session,
    *,
    principal: Principal,
    team_id: int | None = None,
    kind: TalkKind | None = None,
    held_from: date | None = None,
    held_to: date | None = None,
    page: int = 1,
    per_page: int = 25,
) -> tuple[Page[Talk], int]:
    """Talks of the principal's teams, newest first, one page; and the 人次 of all matches."""
    conditions: list[Any] = []
    if team_id is not None:
        conditions.append(col(Talk.team_id) == team_id)
    if kind is not None:
        conditions.append(col(Talk.kind) == kind)
    if held_from is not None:
        conditions.append(col(Talk.held_on) >= held_from)
    if held_to is not None:
        conditions.append(col(Talk.held_on) <= held_to)
    statement = policies.visible_talks(
        principal,
        select(Talk).where(*conditions).order_by(col(Talk.held_on).desc(), col(Talk.id).desc()),
    )
    persons = session.exec(
        policies.visible_talks(
            principal,
            select(func.coalesce(func.sum(Talk.person_count), 0)).where(*conditions),
        )
    ).one()
    return paginate(session, statement, page=page, per_page=per_page), int(persons)


# --- Yearly figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    inspections: int
    talk_persons: int
    problems: int
    rectified: int

    def sentence(self) -> str:
        return (
            f"共开展监督检查{self.inspections}次，谈心谈话{self.talk_persons}人次，"
            f"发现问题{self.problems}条，已整改{self.rectified}条"
        )


def figures(
    session: Session, *, start: date, end: date, team_ids: Sequence[int] | None = None
) -> Figures:
    """Counts for a work summary over [start, end] (local days); None team_ids = county-wide.

    Numbers only, never talk contents, so statistics may use it for any scope.
    """
    lo = datetime(start.year, start.month, start.day, tzinfo=clock.LOCAL_TZ)
    hi_day = date.fromordinal(end.toordinal() + 1)
    hi = datetime(hi_day.year, hi_day.month, hi_day.day, tzinfo=clock.LOCAL_TZ)

    def scoped(statement: Any, team_column: Any) -> Any:
        return (
            statement.where(team_column.in_(list(team_ids))) if team_ids is not None else statement
        )

    inspections = session.exec(
        scoped(
            select(func.count())
            .select_from(Inspection)
            .where(col(Inspection.held_on) >= start, col(Inspection.held_on) <= end),
            col(Inspection.team_id),
        )
    ).one()
    persons = session.exec(
        scoped(
            select(func.coalesce(func.sum(Talk.person_count), 0)).where(
                col(Talk.held_on) >= start, col(Talk.held_on) <= end
            ),
            col(Talk.team_id),
        )
    ).one()
    found = scoped(
        select(func.count())
        .select_from(Rectification)
        .where(col(Rectification.created_at) >= lo, col(Rectification.created_at) < hi),
        col(Rectification.team_id),
    )
    problems = session.exec(found).one()
    rectified = session.exec(
        found.where(col(Rectification.status) == RectificationStatus.VERIFIED)
    ).one()
    return Figures(int(inspections), int(persons), int(problems), int(rectified))
