"""/staff/lists — the lists a user edits or supervises, one unit's list versions, new drafts."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.account.models import User
from app.account.permissions import Permission
from app.account.service import Principal
from app.config import get_settings
from app.core import clock
from app.core.errors import Conflict, PermissionDenied, ValidationFailed
from app.powerlist import overview as list_overview
from app.powerlist import policies, service, standard
from app.powerlist.models import (
    VERSION_SOURCE_LABELS,
    VERSION_STATUS_LABELS,
    PowerList,
    VersionSource,
)
from app.powerlist.overview import LIST_STATE_LABELS, ListState
from app.powerlist.specs import LIST_KIND_LABELS, ListKind
from app.unit.models import GRASSROOTS_KINDS, TOWNSHIP_KINDS, Unit, UnitKind
from app.web.backoffice.list_access import (
    MAX_ID,
    ListEditor,
    ListReader,
    UnitId,
    VersionId,
    editable,
    parse_kind,
    target_block,
    visible_unit,
)
from app.web.deps import SessionDep
from app.web.htmx import redirect, render

router = APIRouter()

PER_PAGE = 30
QUEUE_LIMIT = 100
FormText = Annotated[str, Form(max_length=100)]


def users_by_id(session: Session, ids: set[int | None]) -> dict[int, User]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {user.id: user for user in rows if user.id is not None}


def _choice(value: str, allowed: type[ListKind] | type[ListState]) -> Any:
    return allowed(value) if value in allowed.__members__.values() else None


# ---------------------------------------------------------------------------------------------
# Index


@router.get("/lists", name="backoffice.lists.index")
def index(
    request: Request,
    session: SessionDep,
    principal: ListReader,
    township: Annotated[str, Query(max_length=12)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Editors: their units' lists; teams: the review queue and supervised units; admin: all."""
    edits = principal.can(Permission.POWERLIST_EDIT)
    reviews = principal.can(Permission.POWERLIST_REVIEW)
    if not (edits or reviews):
        raise PermissionDenied("您没有查看权力清单的权限")
    settings = get_settings()
    township_unit = None
    if township.isdigit() and 0 < int(township) <= MAX_ID:
        candidate = session.get(Unit, int(township))
        if candidate is not None and candidate.kind in TOWNSHIP_KINDS:
            township_unit = candidate
    list_kind = _choice(kind, ListKind)
    state = _choice(status, ListState)
    scope = or_(
        policies.editable_unit_clause(principal),
        policies.supervised_unit_clause(session, principal),
    )
    rows = list_overview.list_rows(
        session,
        scope=scope,
        township=township_unit,
        kind=list_kind,
        state=state,
        page=page,
        per_page=PER_PAGE,
        now=clock.now(),
        stale_days=settings.list_stale_after_days,
    )
    queue: list[Any] = []
    if reviews:
        queue = list(
            session.exec(
                policies.review_queue_statement(session, principal).limit(QUEUE_LIMIT)
            ).all()
        )
    filters = [
        ("township", str(township_unit.id) if township_unit else ""),
        ("kind", list_kind.value if list_kind else ""),
        ("status", state.value if state else ""),
    ]

    def page_url(number: int) -> str:
        query = urlencode([(k, v) for k, v in [*filters, ("page", str(number))] if v])
        return f"{request.url_for('backoffice.lists.index').path}?{query}"

    context = {
        "principal": principal,
        "edits": edits,
        "reviews": reviews,
        "rows": rows,
        "queue": queue,
        "queue_limit": QUEUE_LIMIT,
        "submitters": users_by_id(session, {v.submitted_by_id for v, _, _ in queue}),
        "filters": dict(filters),
        "show_filters": reviews,
        "township_options": list_overview.townships(session) if reviews else [],
        "kind_options": list(LIST_KIND_LABELS.items()),
        "state_options": list(LIST_STATE_LABELS.items()),
        "stale_label": list_overview.stale_label(settings.list_stale_after_days),
        "page_url": page_url,
        "can_edit": lambda unit: policies.can_edit_list(principal, unit),
        "LIST_KIND_LABELS": LIST_KIND_LABELS,
    }
    return render(
        request,
        "backoffice/lists/index.html",
        context,
        blocks=target_block(request, ["list_table", "review_queue"]),
    )


# ---------------------------------------------------------------------------------------------
# One unit's list of one kind


def standard_options(session: Session, unit: Unit, kind: ListKind) -> list[PowerList]:
    """Published standard lists a unit may adopt: for its own kind first, then its peers
    (a community may start from the village template and the other way round)."""
    if unit.kind in GRASSROOTS_KINDS:
        peers: tuple[UnitKind, ...] = GRASSROOTS_KINDS
    elif unit.kind in TOWNSHIP_KINDS:
        peers = TOWNSHIP_KINDS
    else:
        peers = (unit.kind,)
    ordered = [unit.kind, *(k for k in peers if k != unit.kind)]
    return [
        power_list
        for unit_kind in ordered
        for power_list in standard.standard_lists(session, unit_kind=unit_kind, kind=kind)
        if power_list.current_version_id is not None
    ]


def _detail_context(
    session: Session,
    principal: Principal,
    unit: Unit,
    kind: ListKind,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    power_list = service.find_list(session, unit=unit, kind=kind)
    versions = service.list_versions(session, power_list=power_list) if power_list else []
    current = next(
        (v for v in versions if power_list and v.id == power_list.current_version_id), None
    )
    open_version = next((v for v in versions if v.status in ("draft", "submitted")), None)
    can_edit = policies.can_edit_list(principal, unit)
    settings = get_settings()
    people = users_by_id(
        session,
        {v.created_by_id for v in versions}
        | {v.reviewed_by_id for v in versions}
        | {v.published_by_id for v in versions},
    )
    return {
        "principal": principal,
        "unit": unit,
        "kind": kind,
        "kind_label": LIST_KIND_LABELS[kind],
        "power_list": power_list,
        "versions": versions,
        "current": current,
        "open_version": open_version,
        "stale": current is not None
        and service.is_stale(current, now=clock.now(), max_age_days=settings.list_stale_after_days),
        "stale_label": list_overview.stale_label(settings.list_stale_after_days),
        "team": policies.team_of(session, unit),
        "can_edit": can_edit,
        "can_review": policies.can_review(session, principal, unit),
        "standard_options": standard_options(session, unit, kind) if can_edit else [],
        "people": people,
        "form": form or {"source": "", "standard_list_id": ""},
        "errors": errors or {},
        "VERSION_STATUS_LABELS": VERSION_STATUS_LABELS,
        "VERSION_SOURCE_LABELS": VERSION_SOURCE_LABELS,
    }


@router.get("/units/{unit_id}/lists/{kind}", name="backoffice.lists.detail")
def detail(
    request: Request, session: SessionDep, principal: ListReader, unit_id: UnitId, kind: str
) -> Response:
    """The list's versions, its open draft, and (for editors) how to start a new draft."""
    unit = visible_unit(session, principal, unit_id)
    context = _detail_context(session, principal, unit, parse_kind(kind))
    return render(
        request,
        "backoffice/lists/detail.html",
        context,
        blocks=target_block(request, ["draft_panel", "version_table"]),
    )


@router.post("/units/{unit_id}/lists/{kind}/drafts", name="backoffice.lists.create_draft")
def create_draft(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    unit_id: UnitId,
    kind: str,
    source: FormText = "",
    standard_list_id: FormText = "",
) -> Response:
    """Start a draft: blank, a copy of the published version, or an adopted standard list."""
    unit = visible_unit(session, principal, unit_id)
    list_kind = parse_kind(kind)
    if not policies.can_edit_list(principal, unit):
        raise PermissionDenied("只有本单位的填报人员可以新建草稿")
    detail_url = request.url_for("backoffice.lists.detail", unit_id=unit.id, kind=list_kind.value)
    try:
        if source == VersionSource.STANDARD:
            chosen = next(
                (
                    p
                    for p in standard_options(session, unit, list_kind)
                    if str(p.id) == standard_list_id
                ),
                None,
            )
            if chosen is None:
                raise ValidationFailed({"standard_list_id": "请选择要采用的标准清单"})
            draft = standard.adopt_standard(
                session, unit=unit, standard_list=chosen, actor=principal.user
            )
        elif source in (VersionSource.EMPTY, VersionSource.COPY):
            power_list = service.get_or_create_list(
                session, unit=unit, kind=list_kind, actor=principal.user
            )
            draft = service.create_draft(
                session, power_list=power_list, actor=principal.user, source=VersionSource(source)
            )
        else:
            raise ValidationFailed({"source": "请选择草稿的来源"})
    except ValidationFailed as exc:
        form = {"source": source, "standard_list_id": standard_list_id}
        context = _detail_context(session, principal, unit, list_kind, form=form, errors=exc.errors)
        return render(
            request,
            "backoffice/lists/detail.html",
            context,
            blocks=["draft_panel"],
            status_code=422,
        )
    except Conflict:
        # Someone opened a draft meanwhile (or there is nothing to copy): the page says which.
        return redirect(request, detail_url.path)
    return redirect(request, request.url_for("backoffice.lists.draft", version_id=draft.id).path)


@router.post("/lists/versions/{version_id}/discard", name="backoffice.lists.discard")
def discard(
    request: Request, session: SessionDep, principal: ListEditor, version_id: VersionId
) -> Response:
    found = editable(session, principal, version_id)
    service.discard_draft(session, version=found.version, actor=principal.user)
    if found.unit is None:
        url = request.url_for("backoffice.standard_lists.detail", list_id=found.power_list.id)
        return redirect(request, url.path)
    url = request.url_for("backoffice.lists.detail", unit_id=found.unit.id, kind=found.kind.value)
    return redirect(request, url.path)
