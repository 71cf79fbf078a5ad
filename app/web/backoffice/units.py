"""/staff/units — browse the unit tree, search units, and let admins set hotline, team, status."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import PermissionDenied, ValidationFailed
from app.unit import policies
from app.unit import service as unit_service
from app.unit.models import UNIT_KIND_LABELS, Unit, UnitKind
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, redirect, render

router = APIRouter()

UnitId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]
UnitReader = Annotated[Principal, Depends(require(Permission.UNIT_READ))]
UnitEditor = Annotated[Principal, Depends(require(Permission.UNIT_UPDATE))]
# Form fields are bounded generously; the service gives the precise zh-CN message.
FormText = Annotated[str, Form(max_length=1000)]

ACTIVE_FILTERS = {"1": True, "0": False}
MAX_OPEN_NODES = 20
MAX_ID = 2_147_483_647


def form_id(value: str) -> int | None:
    """A chosen id from a <select>: "" is None; junk becomes 0, which no row has."""
    value = value.strip()
    if not value:
        return None
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else 0


def _kind(value: str) -> UnitKind | None:
    return UnitKind(value) if value in UnitKind.__members__.values() else None


def _url(request: Request, name: str, params: list[tuple[str, Any]]) -> str:
    query = urlencode([(key, value) for key, value in params if value not in ("", None)])
    return str(request.url_for(name).path) + (f"?{query}" if query else "")


@router.get("/units", name="backoffice.units.index")
def index(
    request: Request,
    session: SessionDep,
    principal: UnitReader,
    q: Annotated[str, Query(max_length=50)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    active: Annotated[str, Query(max_length=1)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    open_: Annotated[list[int] | None, Query(alias="open")] = None,
) -> Response:
    """Search results (#unit-table) above the county tree (#unit-tree), both htmx-refreshable."""
    open_ids = [i for i in dict.fromkeys(open_ or []) if 0 < i <= MAX_ID][:MAX_OPEN_NODES]
    unit_kind = _kind(kind)
    searching = bool(q.strip()) or unit_kind is not None or active in ACTIVE_FILTERS
    results = None
    views: list[unit_service.UnitView] = []
    if searching:
        results = unit_service.search_units(
            session,
            query=q,
            kind=unit_kind,
            active=ACTIVE_FILTERS.get(active),
            page=page,
            principal=principal,
        )
        views = unit_service.describe_units(session, units=results.items)
    tree = unit_service.unit_tree(session, principal=principal, open_ids=open_ids)
    filters = [("q", q.strip()), ("kind", unit_kind.value if unit_kind else ""), ("active", active)]

    def page_url(number: int) -> str:
        return _url(
            request,
            "backoffice.units.index",
            [*filters, *(("open", i) for i in open_ids), ("page", number)],
        )

    def toggle_url(unit_id: int) -> str:
        opened = [i for i in open_ids if i != unit_id]
        if unit_id not in open_ids:
            opened.append(unit_id)
        return _url(request, "backoffice.units.index", [*filters, *(("open", i) for i in opened)])

    context = {
        "principal": principal,
        "q": q,
        "kind": unit_kind.value if unit_kind else "",
        "active": active if active in ACTIVE_FILTERS else "",
        "kind_options": [(k.value, text) for k, text in UNIT_KIND_LABELS.items()],
        "searching": searching,
        "results": results,
        "views": views,
        "tree": tree,
        "page_url": page_url,
        "toggle_url": toggle_url,
    }
    # One route, two fragments: htmx names the element it will replace in HX-Target.
    wants_tree = request.headers.get("HX-Target") == "unit-tree"
    return render(
        request,
        "backoffice/units/index.html",
        context,
        blocks=["unit_tree" if wants_tree else "unit_table"],
    )


def _unit_form(unit: Unit) -> dict[str, Any]:
    return {
        "hotline": unit.hotline,
        "address": unit.address,
        "team_id": str(unit.team_id or ""),
        "is_active": unit.is_active,
    }


def _detail_context(
    session: Session,
    principal: Principal,
    unit: Unit,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    child_form: dict[str, str] | None = None,
    child_errors: dict[str, str] | None = None,
    oob: bool = False,
) -> dict[str, Any]:
    view = unit_service.describe_unit(session, unit=unit)
    parent_view = unit_service.describe_unit(session, unit=view.parent) if view.parent else None
    teams = [t for t in unit_service.list_teams(session) if t.is_active or t.id == unit.team_id]
    if parent_view is not None and parent_view.team is not None:
        inherit_label = f"继承上级（当前为 {parent_view.team.name}）"
    else:
        inherit_label = "不指定（由默认监督单位受理）"
    return {
        "principal": principal,
        "unit": unit,
        "view": view,
        "chain_links": [(a, policies.can_read_unit(principal, a)) for a in view.chain],
        "children": unit_service.visible_children(session, unit=unit, principal=principal),
        "can_update": policies.can_update_unit(principal, unit),
        "can_create_child": policies.can_create_unit(principal, unit)
        and unit.kind in unit_service.CREATABLE_PARENT_KINDS,
        "team_options": [(t.id, t.name if t.is_active else f"{t.name}（已停用）") for t in teams],
        "inherit_label": inherit_label,
        "form": form or _unit_form(unit),
        "errors": errors or {},
        "saved": saved,
        "child_form": child_form or {"name": "", "kind": UnitKind.OFFICE.value},
        "child_errors": child_errors or {},
        "creatable_kinds": [(k.value, UNIT_KIND_LABELS[k]) for k in unit_service.CREATABLE_KINDS],
        "oob": oob,
    }


def _visible_unit(session: Session, principal: Principal, unit_id: int) -> Unit:
    unit = unit_service.get_unit(session, unit_id=unit_id)
    return policies.ensure_can_read_unit(principal, unit)


@router.get("/units/{unit_id}", name="backoffice.units.detail")
def detail(
    request: Request,
    session: SessionDep,
    principal: UnitReader,
    unit_id: UnitId,
    saved: Annotated[bool, Query()] = False,
) -> Response:
    """Breadcrumbs, effective hotline and team with where they come from, children, edit form."""
    unit = _visible_unit(session, principal, unit_id)
    context = _detail_context(session, principal, unit, saved=saved)
    return render(request, "backoffice/units/detail.html", context, blocks=["unit_form"])


@router.post("/units/{unit_id}", name="backoffice.units.update")
def update(
    request: Request,
    session: SessionDep,
    principal: UnitEditor,
    unit_id: UnitId,
    hotline: FormText = "",
    address: FormText = "",
    team_id: FormText = "",
    is_active: FormText = "",
) -> Response:
    unit = _visible_unit(session, principal, unit_id)
    if not policies.can_update_unit(principal, unit):
        raise PermissionDenied("您没有修改该单位的权限")
    form = {
        "hotline": hotline,
        "address": address,
        "team_id": team_id,
        "is_active": bool(is_active),
    }
    try:
        unit_service.update_unit(
            session,
            unit=unit,
            actor=principal.user,
            hotline=hotline,
            address=address,
            team_id=form_id(team_id),
            is_active=bool(is_active),
        )
    except ValidationFailed as exc:
        context = _detail_context(session, principal, unit, form=form, errors=exc.errors, oob=True)
        return render(
            request,
            "backoffice/units/detail.html",
            context,
            blocks=["unit_form", "unit_facts"],
            status_code=422,
        )
    if is_htmx(request):
        context = _detail_context(session, principal, unit, saved=True, oob=True)
        return render(
            request, "backoffice/units/detail.html", context, blocks=["unit_form", "unit_facts"]
        )
    detail_url = request.url_for("backoffice.units.detail", unit_id=unit.id).path
    return redirect(request, f"{detail_url}?saved=1")


@router.post("/units/{unit_id}/children", name="backoffice.units.create_child")
def create_child(
    request: Request,
    session: SessionDep,
    principal: UnitEditor,
    unit_id: UnitId,
    name: FormText = "",
    kind: FormText = "",
) -> Response:
    """Add an office, institution or station below this unit; then show the new unit."""
    parent = _visible_unit(session, principal, unit_id)
    if not policies.can_create_unit(principal, parent):
        raise PermissionDenied("您没有新建单位的权限")
    try:
        child = unit_service.create_unit(
            session, parent=parent, actor=principal.user, name=name, kind=kind
        )
    except ValidationFailed as exc:
        context = _detail_context(
            session,
            principal,
            parent,
            child_form={"name": name, "kind": kind},
            child_errors=exc.errors,
        )
        return render(
            request,
            "backoffice/units/detail.html",
            context,
            blocks=["child_form"],
            status_code=422,
        )
    return redirect(request, request.url_for("backoffice.units.detail", unit_id=child.id).path)
