"""/staff/standard-lists — county standard lists: create, draft, publish, and publish to units."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session, col, or_, select

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.batching import chunks
from app.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.powerlist import service, standard
from app.powerlist.models import (
    OPEN_STATUSES,
    VERSION_SOURCE_LABELS,
    VERSION_STATUS_LABELS,
    ListVersion,
    PowerList,
    VersionSource,
    VersionStatus,
)
from app.powerlist.specs import LIST_KIND_LABELS, ListKind
from app.unit import service as unit_service
from app.unit.models import GRASSROOTS_KINDS, TOWNSHIP_KINDS, UNIT_KIND_LABELS, Unit, UnitKind
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, redirect, render

router = APIRouter()

ListId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]
VersionId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]
Manager = Annotated[Principal, Depends(require(Permission.STANDARDLIST_MANAGE))]
FormText = Annotated[str, Form(max_length=1000)]

# Standard lists are written for the kinds of unit that share the same powers.
STANDARD_UNIT_KINDS = (
    UnitKind.VILLAGE,
    UnitKind.COMMUNITY,
    UnitKind.TOWNSHIP,
    UnitKind.SUBDISTRICT,
    UnitKind.OFFICE,
    UnitKind.INSTITUTION,
    UnitKind.STATION,
)
UNIT_KIND_OPTIONS = [(k.value, UNIT_KIND_LABELS[k]) for k in STANDARD_UNIT_KINDS]
LIST_KIND_OPTIONS = [(k.value, label) for k, label in LIST_KIND_LABELS.items()]
BOTH = "both"
DRAFT_SOURCES = {"empty": VersionSource.EMPTY, "copy": VersionSource.COPY}


def editor_url(version_id: int | None) -> str:
    """G1's draft editor, shared by unit and standard lists (linked, not imported)."""
    return f"/staff/lists/versions/{version_id}"


def _choice(value: str, allowed: Sequence[UnitKind] | type[ListKind]) -> Any:
    for member in allowed:
        if value == member.value:
            return member
    return None


# ---------------------------------------------------------------------------------------------
# Queries shared with the API


@dataclass(frozen=True)
class StandardRow:
    power_list: PowerList
    current: ListVersion | None
    draft: ListVersion | None


def standard_rows(session: Session, lists: Sequence[PowerList]) -> list[StandardRow]:
    """Each standard list with its published version and open draft, in one query."""
    ids = [pl.id for pl in lists]
    current_ids = [pl.current_version_id for pl in lists if pl.current_version_id is not None]
    versions = session.exec(
        select(ListVersion).where(
            col(ListVersion.list_id).in_(ids),
            or_(col(ListVersion.status).in_(OPEN_STATUSES), col(ListVersion.id).in_(current_ids)),
        )
    ).all()
    by_id: dict[int | None, ListVersion] = {v.id: v for v in versions}
    drafts: dict[int | None, ListVersion] = {
        v.list_id: v for v in versions if v.status in OPEN_STATUSES
    }
    return [StandardRow(pl, by_id.get(pl.current_version_id), drafts.get(pl.id)) for pl in lists]


def scope_units(session: Session) -> list[Unit]:
    """Where a standard list may be published at once: the county, then its townships."""
    county = unit_service.get_home_county(session)
    if county is None:
        return []
    townships = [
        u for u in unit_service.list_children(session, unit=county) if u.kind in TOWNSHIP_KINDS
    ]
    return [county, *townships]


def bulk_targets(session: Session, *, scope: Unit, kinds: Sequence[UnitKind]) -> list[Unit]:
    """Active units of `kinds` anywhere below `scope`, in code order (one query)."""
    return list(
        session.exec(
            select(Unit)
            .where(
                col(Unit.path).startswith(f"{scope.path}{scope.id}/"),
                col(Unit.kind).in_(list(kinds)),
                col(Unit.is_active).is_(True),
            )
            .order_by(col(Unit.code))
        ).all()
    )


def units_with_open_drafts(
    session: Session, *, units: Sequence[Unit], kind: ListKind
) -> list[Unit]:
    """Those of `units` whose list of `kind` has a draft or submission (bulk publish skips them)."""
    ids = [u.id for u in units]
    blocked: set[int | None] = set()
    for chunk in chunks(ids):
        blocked.update(
            session.exec(
                select(PowerList.unit_id)
                .join(ListVersion, col(ListVersion.list_id) == col(PowerList.id))
                .where(
                    col(PowerList.unit_id).in_(chunk),
                    PowerList.kind == kind,
                    col(ListVersion.status).in_(OPEN_STATUSES),
                )
            ).all()
        )
    return [u for u in units if u.id in blocked]


# ---------------------------------------------------------------------------------------------
# Index and create


EMPTY_FORM = {"title": "", "unit_kind": UnitKind.VILLAGE.value, "kind": ListKind.DUTY.value}


def _index_context(
    session: Session,
    principal: Principal,
    *,
    unit_kind: UnitKind | None = None,
    kind: ListKind | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    lists = standard.standard_lists(session, unit_kind=unit_kind, kind=kind)
    # Grouped by unit kind, then list kind, the order admins think in.
    order = {k: i for i, k in enumerate(STANDARD_UNIT_KINDS)}
    kinds = list(ListKind)
    lists.sort(
        key=lambda pl: (
            order.get(pl.standard_for_kind, len(order)) if pl.standard_for_kind else len(order),
            kinds.index(pl.kind),
            pl.id or 0,
        )
    )
    return {
        "principal": principal,
        "rows": standard_rows(session, lists),
        "filter_unit_kind": unit_kind.value if unit_kind else "",
        "filter_kind": kind.value if kind else "",
        "unit_kind_options": UNIT_KIND_OPTIONS,
        "list_kind_options": LIST_KIND_OPTIONS,
        "form": form or EMPTY_FORM,
        "errors": errors or {},
        "editor_url": editor_url,
        "LIST_KIND_LABELS": LIST_KIND_LABELS,
        "VERSION_STATUS_LABELS": VERSION_STATUS_LABELS,
    }


@router.get("/standard-lists", name="backoffice.standard_lists.index")
def index(
    request: Request,
    session: SessionDep,
    principal: Manager,
    unit_kind: Annotated[str, Query(max_length=20)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Standard lists by unit kind and list kind, with their versions; the create form."""
    context = _index_context(
        session,
        principal,
        unit_kind=_choice(unit_kind, STANDARD_UNIT_KINDS),
        kind=_choice(kind, ListKind),
    )
    return render(
        request, "backoffice/standard_lists/index.html", context, blocks=["standard_list_table"]
    )


@router.post("/standard-lists", name="backoffice.standard_lists.create")
def create(
    request: Request,
    session: SessionDep,
    principal: Manager,
    title: FormText = "",
    unit_kind: FormText = "",
    kind: FormText = "",
) -> Response:
    form = {"title": title, "unit_kind": unit_kind, "kind": kind}
    chosen_unit_kind = _choice(unit_kind, STANDARD_UNIT_KINDS)
    chosen_kind = _choice(kind, ListKind)
    try:
        errors: dict[str, str] = {}
        if chosen_unit_kind is None:
            errors["unit_kind"] = "请选择适用的单位类型"
        if chosen_kind is None:
            errors["kind"] = "请选择清单类型"
        if errors:
            raise ValidationFailed(errors)
        power_list = standard.create_standard_list(
            session, unit_kind=chosen_unit_kind, kind=chosen_kind, actor=principal.user, title=title
        )
    except ValidationFailed as exc:
        context = _index_context(session, principal, form=form, errors=exc.errors)
        return render(
            request,
            "backoffice/standard_lists/index.html",
            context,
            blocks=["standard_list_form"],
            status_code=422,
        )
    return redirect(
        request, request.url_for("backoffice.standard_lists.detail", list_id=power_list.id).path
    )


# ---------------------------------------------------------------------------------------------
# Detail: versions, drafts, publishing


def _standard_list(session: Session, list_id: int) -> PowerList:
    power_list = session.get(PowerList, list_id)
    if power_list is None or not power_list.is_standard:
        raise NotFound("标准清单不存在")
    return power_list


def _unit_kind_options(power_list: PowerList) -> list[tuple[str, str]]:
    options = [
        (UnitKind.VILLAGE.value, "所有村"),
        (UnitKind.COMMUNITY.value, "所有社区"),
        (BOTH, "所有村和社区"),
    ]
    own = power_list.standard_for_kind
    if own is not None and own not in GRASSROOTS_KINDS:
        options.insert(0, (own.value, f"所有{UNIT_KIND_LABELS[own]}"))
    return options


def _default_unit_kind(power_list: PowerList) -> str:
    own = power_list.standard_for_kind
    return own.value if own is not None else UnitKind.VILLAGE.value


def _kinds_of(choice: str) -> list[UnitKind]:
    if choice == BOTH:
        return list(GRASSROOTS_KINDS)
    kind = _choice(choice, list(UnitKind))
    return [kind] if kind is not None else []


@dataclass(frozen=True)
class BulkOutcome:
    """What one bulk publish did, for the page: counts, and the units left alone and why."""

    scope: Unit
    unit_kind_label: str
    published: int
    skipped: list[tuple[Unit, str]]


def _detail_context(
    session: Session,
    principal: Principal,
    power_list: PowerList,
    *,
    publish_errors: dict[str, str] | None = None,
    bulk_form: dict[str, str] | None = None,
    bulk_errors: dict[str, str] | None = None,
    outcome: BulkOutcome | None = None,
    notice: str = "",
) -> dict[str, Any]:
    versions = service.list_versions(session, power_list=power_list)
    current = next((v for v in versions if v.id == power_list.current_version_id), None)
    draft = next((v for v in versions if v.status in OPEN_STATUSES), None)
    scopes = scope_units(session)
    return {
        "principal": principal,
        "power_list": power_list,
        "versions": versions,
        "current": current,
        "draft": draft,
        "counts": service.content_counts(service.content_of(session, version=current))
        if current is not None
        else None,
        "publish_errors": publish_errors or {},
        "scope_options": [
            (u.code, u.name if i else f"{u.name}（全县）") for i, u in enumerate(scopes)
        ],
        "bulk_unit_kind_options": _unit_kind_options(power_list),
        "bulk_form": bulk_form
        or {
            "scope": scopes[0].code if scopes else "",
            "unit_kind": _default_unit_kind(power_list),
        },
        "bulk_errors": bulk_errors or {},
        "outcome": outcome,
        "notice": notice,
        "editor_url": editor_url,
        "LIST_KIND_LABELS": LIST_KIND_LABELS,
        "VERSION_STATUS_LABELS": VERSION_STATUS_LABELS,
        "VERSION_SOURCE_LABELS": VERSION_SOURCE_LABELS,
        "DRAFT": VersionStatus.DRAFT,
    }


NOTICES = {"published": "已直接发布，新版本已生效。"}


def _unit_kind_label(power_list: PowerList, choice: str) -> str:
    return dict(_unit_kind_options(power_list)).get(choice, "")


@router.get("/standard-lists/{list_id}", name="backoffice.standard_lists.detail")
def detail(
    request: Request,
    session: SessionDep,
    principal: Manager,
    list_id: ListId,
    done: Annotated[str, Query(max_length=20)] = "",
    scope: Annotated[str, Query(max_length=20)] = "",
    unit_kind: Annotated[str, Query(max_length=20)] = "",
    published: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
) -> Response:
    """Versions with their actions, a new draft, and the bulk "发布到所有…" form.

    After a bulk publish without JavaScript the redirect brings the counts back; the units
    skipped are those in the scope that still have an open draft.
    """
    power_list = _standard_list(session, list_id)
    outcome = None
    if published is not None and scope:
        scope_unit = next((u for u in scope_units(session) if u.code == scope), None)
        if scope_unit is not None:
            targets = bulk_targets(session, scope=scope_unit, kinds=_kinds_of(unit_kind))
            blocked = units_with_open_drafts(session, units=targets, kind=power_list.kind)
            outcome = BulkOutcome(
                scope=scope_unit,
                unit_kind_label=_unit_kind_label(power_list, unit_kind),
                published=published,
                skipped=[(u, "该单位有未发布的草稿，未覆盖") for u in blocked],
            )
    context = _detail_context(
        session, principal, power_list, outcome=outcome, notice=NOTICES.get(done, "")
    )
    return render(
        request, "backoffice/standard_lists/detail.html", context, blocks=["standard_versions"]
    )


@router.post("/standard-lists/{list_id}/drafts", name="backoffice.standard_lists.create_draft")
def create_draft(
    request: Request,
    session: SessionDep,
    principal: Manager,
    list_id: ListId,
    source: FormText = "empty",
) -> Response:
    """Open the list's draft (blank or a copy of the published version) in the draft editor."""
    power_list = _standard_list(session, list_id)
    chosen = DRAFT_SOURCES.get(source)
    if chosen is None:
        raise ValidationFailed({"source": "请选择草稿来源"})
    draft = service.create_draft(
        session, power_list=power_list, actor=principal.user, source=chosen
    )
    return redirect(request, editor_url(draft.id))


@router.post(
    "/standard-lists/{list_id}/versions/{version_id}/publish",
    name="backoffice.standard_lists.publish",
)
def publish(
    request: Request,
    session: SessionDep,
    principal: Manager,
    list_id: ListId,
    version_id: VersionId,
) -> Response:
    """Publish the draft directly: the county commission reviews its own standard lists."""
    power_list = _standard_list(session, list_id)
    version = service.get_version(session, version_id=version_id)
    if version.list_id != power_list.id:
        raise NotFound("清单版本不存在")
    try:
        service.publish_directly(session, version=version, actor=principal.user)
    except ValidationFailed as exc:
        context = _detail_context(session, principal, power_list, publish_errors=exc.errors)
        return render(
            request,
            "backoffice/standard_lists/detail.html",
            context,
            blocks=["standard_versions"],
            status_code=422,
        )
    detail_url = request.url_for("backoffice.standard_lists.detail", list_id=power_list.id).path
    return redirect(request, f"{detail_url}?done=published")


@router.post(
    "/standard-lists/{list_id}/publish-to-units",
    name="backoffice.standard_lists.publish_to_units",
)
def publish_to_units(
    request: Request,
    session: SessionDep,
    principal: Manager,
    list_id: ListId,
    scope: FormText = "",
    unit_kind: FormText = "",
) -> Response:
    """Publish the standard's current version to every village/community in a township or
    the whole county; units with an open draft are skipped and listed."""
    power_list = _standard_list(session, list_id)
    form = {"scope": scope, "unit_kind": unit_kind}
    scope_unit = next((u for u in scope_units(session) if u.code == scope), None)
    kinds = _kinds_of(unit_kind) if unit_kind in dict(_unit_kind_options(power_list)) else []
    errors: dict[str, str] = {}
    if scope_unit is None:
        errors["scope"] = "请选择发布范围（乡镇、街道或全县）"
    if not kinds:
        errors["unit_kind"] = "请选择单位类型"
    if scope_unit is not None and kinds:
        try:
            targets = bulk_targets(session, scope=scope_unit, kinds=kinds)
            if not targets:
                raise ValidationFailed({"scope": "所选范围内没有该类型的单位"})
            result = standard.publish_standard_to_units(
                session, standard_list=power_list, units=targets, actor=principal.user
            )
        except ValidationFailed as exc:
            errors = exc.errors
        except (Conflict, InvalidTransition) as exc:
            errors = {"scope": exc.message}
    if errors:
        context = _detail_context(
            session, principal, power_list, bulk_form=form, bulk_errors=errors
        )
        return render(
            request,
            "backoffice/standard_lists/detail.html",
            context,
            blocks=["bulk_publish"],
            status_code=422,
        )
    assert scope_unit is not None
    if is_htmx(request):
        by_id = {u.id: u for u in targets}
        outcome = BulkOutcome(
            scope=scope_unit,
            unit_kind_label=_unit_kind_label(power_list, unit_kind),
            published=len(result.published),
            skipped=[(by_id[uid], reason) for uid, reason in result.skipped.items()],
        )
        context = _detail_context(session, principal, power_list, bulk_form=form, outcome=outcome)
        return render(
            request, "backoffice/standard_lists/detail.html", context, blocks=["bulk_publish"]
        )
    detail_url = request.url_for("backoffice.standard_lists.detail", list_id=power_list.id).path
    query = urlencode({"scope": scope, "unit_kind": unit_kind, "published": len(result.published)})
    return redirect(request, f"{detail_url}?{query}#bulk-publish")
