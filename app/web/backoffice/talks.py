"""/staff/talks — 谈心谈话 / 廉政谈话 records: the list with the 人次, recording a talk, and a
talk's page. Only members and leads of the talk's own team ever see one (谈话内容不得扩大知情
范围): an admin's list is empty and a talk's page answers 404, as if it did not exist.
"""

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
from app.supervision import inspections as talk_service
from app.supervision.labels import TALK_KIND_LABELS
from app.supervision.models import Talk, TalkKind
from app.unit.models import Team, Unit
from app.web.backoffice.ledger import (
    chosen_team,
    own_teams,
    parse_day,
    pick_unit,
    team_names,
)
from app.web.backoffice.ticket_forms import (
    GENERAL,
    MAX_ID,
    FormText,
    ShortText,
    enum_value,
    positive_int,
)
from app.web.backoffice.ticket_new import find_units
from app.web.backoffice.tickets import no_store
from app.web.deps import SessionDep, require
from app.web.htmx import redirect, render

router = APIRouter()

Reader = Annotated[Principal, Depends(require(Permission.TALK_READ))]
Recorder = Annotated[Principal, Depends(require(Permission.TALK_MANAGE))]
TalkId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
QueryText = Annotated[str, Query(max_length=100)]

INDEX = "backoffice/talks/index.html"
NEW = "backoffice/talks/new.html"
DETAIL = "backoffice/talks/detail.html"
PER_PAGE = 25
KIND_OPTIONS = [(k.value, TALK_KIND_LABELS[k]) for k in TalkKind]


@router.get("/talks", name="backoffice.talks.index")
def index(
    request: Request,
    session: SessionDep,
    principal: Reader,
    kind: QueryText = "",
    team: QueryText = "",
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The talks of the user's teams, newest first, with the number of talks and 人次."""
    results, persons = talk_service.search_talks(
        session,
        principal=principal,
        team_id=positive_int(team),
        kind=enum_value(TalkKind, kind),
        held_from=parse_day(from_),
        held_to=parse_day(to),
        page=page,
        per_page=PER_PAGE,
    )
    params = [(k, v) for k, v in (("kind", kind), ("team", team), ("from", from_), ("to", to)) if v]
    path = str(request.url_for("backoffice.talks.index").path)

    def page_url(number: int) -> str:
        query = params + ([("page", str(number))] if number > 1 else [])
        return path + (f"?{urlencode(query)}" if query else "")

    teams = own_teams(session, principal)
    context = {
        "principal": principal,
        "results": results,
        "persons": persons,
        "teams": team_names(session, {t.team_id for t in results.items}),
        "team_options": teams,
        "kind_options": KIND_OPTIONS,
        "kind_labels": TALK_KIND_LABELS,
        "values": {"kind": kind, "team": team, "from": from_, "to": to},
        "page_url": page_url,
        "can_record": bool(teams) and principal.can(Permission.TALK_MANAGE),
    }
    return no_store(render(request, INDEX, context, blocks=["talk_table"]))


@dataclass
class TalkForm:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    candidates: list[Unit] = field(default_factory=list)


def recording_teams(session: Session, principal: Principal) -> list[Team]:
    teams = own_teams(session, principal)
    if not teams:
        raise PermissionDenied("只有监督单位的工作人员可以登记谈话")
    return teams


def _context(principal: Principal, form: TalkForm, teams: list[Team]) -> dict[str, Any]:
    return {
        "principal": principal,
        "form": form,
        "values": form.values,
        "errors": form.errors,
        "teams": teams,
        "kind_options": KIND_OPTIONS,
    }


@router.get("/talks/new", name="backoffice.talks.new")
def new(request: Request, session: SessionDep, principal: Recorder) -> Response:
    """The recording form."""
    teams = recording_teams(session, principal)
    form = TalkForm(
        values={"held_on": clock.today_local().isoformat(), "kind": TalkKind.HEART.value}
    )
    return no_store(render(request, NEW, _context(principal, form, teams), blocks=["talk_form"]))


@router.post("/talks/new", name="backoffice.talks.create")
def create(
    request: Request,
    session: SessionDep,
    principal: Recorder,
    team: ShortText = "",
    kind: ShortText = "",
    held_on: ShortText = "",
    unit: ShortText = "",
    unit_code: ShortText = "",
    interviewees: FormText = "",
    person_count: ShortText = "",
    interviewers: ShortText = "",
    summary: FormText = "",
) -> Response:
    """Record a talk; 人次 defaults to the number of lines under 谈话对象."""
    teams = recording_teams(session, principal)
    form = TalkForm(
        values={
            "team": team,
            "kind": kind,
            "held_on": held_on,
            "unit": unit,
            "unit_code": unit_code,
            "interviewees": interviewees,
            "person_count": person_count,
            "interviewers": interviewers,
            "summary": summary,
        }
    )
    try:
        with session.begin_nested():
            team_id = chosen_team(teams, team)
            unit_id = None
            if unit.strip() or unit_code.strip():
                unit_id = pick_unit(session, unit, unit_code).id
            talk = talk_service.record_talk(
                session,
                principal=principal,
                team_id=team_id,
                kind=kind,
                held_on=held_on,
                interviewees=interviewees,
                person_count=person_count,
                interviewers=interviewers,
                summary=summary,
                unit_id=unit_id,
            )
    except ValidationFailed as exc:
        form.errors = exc.errors or {GENERAL: exc.message}
        if "unit" in form.errors:
            form.candidates = find_units(session, unit)
        context = _context(principal, form, teams)
        return no_store(render(request, NEW, context, blocks=["talk_form"], status_code=422))
    url = request.url_for("backoffice.talks.detail", talk_id=talk.id).path
    return redirect(request, f"{url}?done=recorded")


@router.get("/talks/{talk_id}", name="backoffice.talks.detail")
def detail(
    request: Request,
    session: SessionDep,
    principal: Reader,
    talk_id: TalkId,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """A talk record, for its own team only."""
    talk: Talk = talk_service.get_talk(session, principal=principal, talk_id=talk_id)
    context = {
        "principal": principal,
        "talk": talk,
        "kind_label": TALK_KIND_LABELS[talk.kind],
        "team": session.get(Team, talk.team_id),
        "unit": session.get(Unit, talk.unit_id) if talk.unit_id else None,
        "done": done == "recorded",
    }
    return no_store(render(request, DETAIL, context, blocks=["talk_record"]))
