"""/staff/inspections — 监督检查: the list, recording an inspection with its findings (each
becomes a ledger entry; the inspection is saved with all of them or not at all), and its page
with the ledger entries it produced and a link to issue a notice about it.

Without JavaScript the findings are a fixed number of rows; 「增加一行」 posts the form back with
one more row and saves nothing.
"""

import re
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.core import clock
from app.core.errors import PermissionDenied, ValidationFailed
from app.supervision import inspections as inspection_service
from app.supervision import policies
from app.supervision.inspections import Finding
from app.supervision.models import Inspection
from app.unit import service as unit_service
from app.unit.models import Team, Unit
from app.web.backoffice.ledger import (
    chosen_team,
    entry_rows,
    link_if_route,
    own_teams,
    parse_day,
    team_names,
    team_options,
)
from app.web.backoffice.ticket_forms import (
    GENERAL,
    MAX_ID,
    FormList,
    FormText,
    ShortText,
    id_list,
    positive_int,
)
from app.web.backoffice.ticket_new import find_units
from app.web.backoffice.tickets import no_store
from app.web.deps import SessionDep, require
from app.web.htmx import redirect, render

router = APIRouter()

Inspector = Annotated[Principal, Depends(require(Permission.INSPECTION_MANAGE))]
InspectionId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
QueryText = Annotated[str, Query(max_length=100)]

INDEX = "backoffice/inspections/index.html"
NEW = "backoffice/inspections/new.html"
DETAIL = "backoffice/inspections/detail.html"
PER_PAGE = 25
FINDING_ROWS = 3
MAX_FINDING_ROWS = 30
UNIT_CHOICES = 80
UNIT_SPLIT = re.compile(r"[\s,，、;；]+")


@router.get("/inspections", name="backoffice.inspections.index")
def index(
    request: Request,
    session: SessionDep,
    principal: Inspector,
    team: QueryText = "",
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Inspections of the user's teams (every team for an admin), newest first."""
    results = inspection_service.search_inspections(
        session,
        principal=principal,
        team_id=positive_int(team),
        held_from=parse_day(from_),
        held_to=parse_day(to),
        page=page,
        per_page=PER_PAGE,
    )
    ids = [i.id for i in results.items if i.id is not None]
    params = [(k, v) for k, v in (("team", team), ("from", from_), ("to", to)) if v]
    path = str(request.url_for("backoffice.inspections.index").path)

    def page_url(number: int) -> str:
        query = params + ([("page", str(number))] if number > 1 else [])
        return path + (f"?{urlencode(query)}" if query else "")

    context = {
        "principal": principal,
        "results": results,
        "units": inspection_service.units_of(session, ids),
        "findings": inspection_service.finding_counts(session, ids),
        "teams": team_names(session, {i.team_id for i in results.items}),
        "team_options": team_options(session, principal),
        "values": {"team": team, "from": from_, "to": to},
        "page_url": page_url,
        "can_record": bool(policies.team_ids(principal)),
    }
    return no_store(render(request, INDEX, context, blocks=["inspection_table"]))


# --- Recording --------------------------------------------------------------------------------


@dataclass
class FindingRow:
    problem: str = ""
    unit: str = ""
    responsible_person: str = ""
    measures: str = ""
    deadline: str = ""

    @property
    def blank(self) -> bool:
        return not any(
            v.strip()
            for v in (
                self.problem,
                self.unit,
                self.responsible_person,
                self.measures,
                self.deadline,
            )
        )


@dataclass
class InspectionForm:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    unit_ids: list[int] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)


def recording_teams(session: Session, principal: Principal) -> list[Team]:
    teams = own_teams(session, principal)
    if not teams:
        raise PermissionDenied("只有监督单位的工作人员可以登记监督检查")
    return teams


def unit_choices(session: Session, teams: list[Team]) -> list[Unit]:
    """Each team's home unit and the units directly below it, as checkboxes."""
    choices: dict[int, Unit] = {}
    for team in teams:
        if team.home_unit_id is None:
            continue
        home = session.get(Unit, team.home_unit_id)
        if home is None or home.id is None:
            continue
        choices[home.id] = home
        for child in unit_service.list_children(session, unit=home):
            if child.id is not None:
                choices.setdefault(child.id, child)
    return list(choices.values())[:UNIT_CHOICES]


def _context(
    session: Session, principal: Principal, form: InspectionForm, teams: list[Team]
) -> dict[str, Any]:
    return {
        "principal": principal,
        "form": form,
        "values": form.values,
        "errors": form.errors,
        "teams": teams,
        "unit_choices": unit_choices(session, teams),
    }


@router.get("/inspections/new", name="backoffice.inspections.new")
def new(request: Request, session: SessionDep, principal: Inspector) -> Response:
    """The recording form: date, team, units, people, summary and findings."""
    teams = recording_teams(session, principal)
    form = InspectionForm(
        values={"held_on": clock.today_local().isoformat()},
        findings=[FindingRow() for _ in range(FINDING_ROWS)],
    )
    context = _context(session, principal, form, teams)
    return no_store(render(request, NEW, context, blocks=["inspection_form"]))


def typed_units(session: Session, raw: str) -> list[int]:
    """Units typed as codes or names (one match each), else a form error naming the text."""
    ids = []
    for text in [t for t in UNIT_SPLIT.split(raw.strip()) if t]:
        matches = find_units(session, text)
        exact = [u for u in matches if u.code == text or u.name == text]
        found = exact if len(exact) == 1 else matches
        if len(found) != 1 or found[0].id is None:
            problem = "未找到" if not found else "有多个单位符合"
            raise ValidationFailed({"other_units": f"{problem}“{text}”，请输入单位代码"})
        ids.append(found[0].id)
    return ids


def finding_unit(session: Session, number: int, text: str, unit_ids: list[int]) -> int:
    """The inspected unit a finding is about: typed by name or code, or the only one."""
    if not text.strip():
        if len(unit_ids) == 1:
            return unit_ids[0]
        raise ValidationFailed({f"findings-{number}-unit": f"第 {number} 条问题：请填写责任单位"})
    for unit_id in unit_ids:
        unit = session.get(Unit, unit_id)
        if unit is not None and text.strip() in (unit.name, unit.code):
            return unit_id
    raise ValidationFailed(
        {f"findings-{number}-unit": f"第 {number} 条问题：责任单位须是被检查单位之一"}
    )


@router.post("/inspections/new", name="backoffice.inspections.create")
def create(
    request: Request,
    session: SessionDep,
    principal: Inspector,
    team: ShortText = "",
    held_on: ShortText = "",
    subject: ShortText = "",
    unit_ids: FormList = [],  # noqa: B006 - FastAPI copies defaults per request
    other_units: FormText = "",
    people: FormText = "",
    summary: FormText = "",
    finding_problem: FormList = [],  # noqa: B006
    finding_unit_text: FormList = [],  # noqa: B006
    finding_responsible: FormList = [],  # noqa: B006
    finding_measures: FormList = [],  # noqa: B006
    finding_deadline: FormList = [],  # noqa: B006
    more: ShortText = "",
) -> Response:
    """Record the inspection and its findings in one transaction (all or nothing)."""
    teams = recording_teams(session, principal)
    rows = [
        FindingRow(*values)
        for values in zip(
            finding_problem,
            finding_unit_text,
            finding_responsible,
            finding_measures,
            finding_deadline,
            strict=False,
        )
    ][:MAX_FINDING_ROWS]
    form = InspectionForm(
        values={
            "team": team,
            "held_on": held_on,
            "subject": subject,
            "other_units": other_units,
            "people": people,
            "summary": summary,
        },
        findings=rows,
    )
    try:
        form.unit_ids = id_list(unit_ids, "unit_ids")
    except ValidationFailed as exc:
        form.errors = exc.errors
    if more and not form.errors:
        form.findings.append(FindingRow())
        form.findings = form.findings[:MAX_FINDING_ROWS]
        context = _context(session, principal, form, teams)
        return no_store(render(request, NEW, context, blocks=["inspection_form"]))
    try:
        if form.errors:
            raise ValidationFailed(form.errors)
        with session.begin_nested():
            inspection = _record(session, principal, form, teams)
    except ValidationFailed as exc:
        form.errors = exc.errors or {GENERAL: exc.message}
        if not form.findings:
            form.findings = [FindingRow()]
        context = _context(session, principal, form, teams)
        return no_store(render(request, NEW, context, blocks=["inspection_form"], status_code=422))
    url = request.url_for("backoffice.inspections.detail", inspection_id=inspection.id).path
    return redirect(request, f"{url}?done=recorded")


def _record(
    session: Session, principal: Principal, form: InspectionForm, teams: list[Team]
) -> Inspection:
    values = form.values
    team_id = chosen_team(teams, values["team"])
    units = list(dict.fromkeys(form.unit_ids + typed_units(session, values["other_units"])))
    findings = []
    for number, row in enumerate(form.findings, start=1):
        if row.blank:
            continue
        if not units:
            break  # the service says 请选择被检查单位
        findings.append(
            Finding(
                unit_id=finding_unit(session, number, row.unit, units),
                problem=row.problem,
                deadline=row.deadline,
                responsible_person=row.responsible_person,
                measures=row.measures,
            )
        )
    inspection, _entries = inspection_service.record_inspection(
        session,
        principal=principal,
        team_id=team_id,
        held_on=values["held_on"],
        subject=values["subject"],
        unit_ids=units,
        people=values["people"],
        summary=values["summary"],
        findings=findings,
    )
    return inspection


# --- An inspection's page ---------------------------------------------------------------------


@router.get("/inspections/{inspection_id}", name="backoffice.inspections.detail")
def detail(
    request: Request,
    session: SessionDep,
    principal: Inspector,
    inspection_id: InspectionId,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The record, the units, the ledger entries of its findings, and what to do next."""
    inspection = inspection_service.get_inspection(
        session, principal=principal, inspection_id=inspection_id
    )
    own = inspection.team_id in policies.team_ids(principal)
    notice_link = ""
    if own and principal.can(Permission.NOTICE_READ):
        base = link_if_route(request, "backoffice.notices.new")
        notice_link = f"{base}?inspection={inspection.id}" if base else ""
    ledger_link = ""
    if own and principal.can(Permission.LEDGER_MANAGE):
        ledger_link = f"{request.url_for('backoffice.ledger.new').path}?inspection={inspection.id}"
    entries = inspection_service.inspection_entries(session, inspection=inspection)
    context = {
        "principal": principal,
        "inspection": inspection,
        "team": session.get(Team, inspection.team_id),
        "units": inspection_service.inspection_units(session, inspection=inspection),
        "rows": entry_rows(session, entries, clock.today_local()),
        "notice_link": notice_link,
        "ledger_link": ledger_link,
        "done": done == "recorded",
    }
    return no_store(render(request, DETAIL, context, blocks=["inspection_entries"]))
