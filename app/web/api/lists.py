"""/api/v1 power lists: public reads of published lists and items; drafts, review and standard
lists for staff, scoped by the same policies as the back office."""

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, JsonValue, ValidationError
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.config import get_settings
from app.core import clock
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.powerlist import editing, policies, service, standard
from app.powerlist.schemas import (
    CONTENT_EXAMPLE,
    DRAFT_SOURCE_VERSION_SOURCE,
    ITEM_EXAMPLE,
    BulkPublishIn,
    BulkPublishOut,
    BulkUnitOut,
    DraftCreate,
    DraftOut,
    DraftSource,
    ItemOut,
    ListCounts,
    ListSummaryOut,
    PublishedItemOut,
    PublishedListOut,
    ReturnBody,
    StandardListOut,
    UnitListsOut,
    UnitRef,
    VersionOut,
    keep_own_keys,
    list_item_keys,
)
from app.powerlist.specs import LIST_KIND_LABELS, ItemSpec, ListContent, ListKind, spec_errors
from app.unit import service as unit_service
from app.unit.models import Unit
from app.web.backoffice.list_excel import VersionInScope
from app.web.backoffice.standard_lists import bulk_targets, standard_rows
from app.web.deps import PublicRoute, SessionDep, require

router = APIRouter(tags=["lists"])

M = TypeVar("M", bound=BaseModel)

UnitCode = Annotated[str, PathParam(max_length=20, description="单位代码")]
VersionId = Annotated[int, PathParam(ge=1, le=2_147_483_647, description="版本 ID")]
ListId = Annotated[int, PathParam(ge=1, le=2_147_483_647, description="标准清单 ID")]
ItemKey = Annotated[
    str, PathParam(min_length=1, max_length=16, pattern=r"^[a-z0-9]+$", description="事项标识")
]
Editor = Annotated[Principal, Depends(require(Permission.POWERLIST_EDIT))]
Reviewer = Annotated[Principal, Depends(require(Permission.POWERLIST_REVIEW))]
Publisher = Annotated[Principal, Depends(require(Permission.POWERLIST_PUBLISH))]
Manager = Annotated[Principal, Depends(require(Permission.STANDARDLIST_MANAGE))]

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "没有执行此操作的权限"},
    404: {"description": "不存在，或不在您的管理范围内"},
    409: {"description": "当前状态不允许此操作（如已有草稿、版本已发布）"},
    422: {"description": "内容有误：errors 按字段路径（如 items[0].steps[1].time_limit）列出"},
}


# ---------------------------------------------------------------------------------------------
# Bodies validated through the specs, so errors carry spec_errors paths in zh-CN


async def json_body(request: Request) -> JsonValue:
    try:
        body: JsonValue = await request.json()
    except ValueError as exc:
        raise ValidationFailed({"__root__": "请求体必须是 JSON"}) from exc
    return body


JsonBody = Annotated[JsonValue, Depends(json_body)]


def _parse(model: type[M], body: JsonValue) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise ValidationFailed(spec_errors(exc), "内容有误，请按 errors 修改后重试") from exc


def _body_doc(schema: str, example: JsonValue) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{schema}"},
                    "example": example,
                }
            },
        }
    }


# ---------------------------------------------------------------------------------------------
# Public reads


def _public_unit(session: Session, code: str) -> Unit:
    unit = unit_service.get_unit_by_code(session, code=code)
    chain = unit_service.ancestors(session, unit=unit)
    # A unit under a deactivated township is as gone as the township itself.
    if not unit.is_active or not all(a.is_active for a in chain):
        raise NotFound("单位不存在")
    return unit


@router.get(
    "/units/{code}/lists",
    name="api.lists.unit_lists",
    dependencies=[PublicRoute],
    responses={404: ERRORS[404]},
)
def unit_lists(session: SessionDep, code: UnitCode) -> UnitListsOut:
    """The unit's three lists: current published version, when it was published, counts."""
    unit = _public_unit(session, code)
    published = service.unit_lists_overview(session, unit=unit)
    now = clock.now()
    days = get_settings().list_stale_after_days
    lists = []
    for kind in ListKind:
        found = published.get(kind)
        lists.append(
            ListSummaryOut(
                kind=kind,
                label=LIST_KIND_LABELS[kind],
                version=found.version.number if found else None,
                published_at=found.version.published_at if found else None,
                stale=found.is_stale(now=now, max_age_days=days) if found else False,
                counts=ListCounts.of(found.content) if found else None,
            )
        )
    return UnitListsOut(unit=UnitRef.of(unit), lists=lists)


@router.get(
    "/units/{code}/lists/{kind}",
    name="api.lists.published",
    dependencies=[PublicRoute],
    responses={404: ERRORS[404]},
)
def published_list(
    session: SessionDep,
    code: UnitCode,
    kind: ListKind,
    version: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="历史版本号；缺省为当前版本")
    ] = None,
) -> PublishedListOut:
    """The current published content, or a former published version with ?version=N."""
    unit = _public_unit(session, code)
    if version is None:
        found = service.current_published(session, unit=unit, kind=kind)
    else:
        power_list = service.find_list(session, unit=unit, kind=kind)
        found = (
            service.published_version(session, power_list=power_list, number=version)
            if power_list is not None
            else None
        )
    if found is None:
        raise NotFound("该单位尚未发布此清单")
    return PublishedListOut(
        unit=UnitRef.of(unit),
        kind=kind,
        title=found.power_list.title,
        version=found.version.number,
        status=found.version.status,
        published_at=found.version.published_at,
        content=found.content,
    )


@router.get(
    "/items/{key}", name="api.lists.item", dependencies=[PublicRoute], responses={404: ERRORS[404]}
)
def published_item(session: SessionDep, key: ItemKey) -> PublishedItemOut:
    """A unit's currently published power item with its steps and risk points."""
    view = service.get_item_by_key(session, key=key)
    _public_unit(session, view.unit.code)
    base = get_settings().public_base_url.rstrip("/")
    return PublishedItemOut(
        key=key,
        unit=UnitRef.of(view.unit),
        version=view.version.number,
        published_at=view.version.published_at,
        team_override=view.team_override.name if view.team_override else None,
        url=f"{base}/items/{key}",
        item=view.item,
    )


# ---------------------------------------------------------------------------------------------
# Drafts (unit editors; admins also for standard lists)


def _load(session: Session, version_id: int) -> VersionInScope:
    version = service.get_version(session, version_id=version_id)
    power_list = service.get_list(session, list_id=version.list_id)
    unit = session.get(Unit, power_list.unit_id) if power_list.unit_id is not None else None
    return VersionInScope(version, power_list, unit)


def _editable(session: Session, principal: Principal, version_id: int) -> VersionInScope:
    found = _load(session, version_id)
    if not policies.can_edit_list(principal, found.unit):
        raise NotFound("清单版本不存在")
    return found


def _reviewable(session: Session, principal: Principal, version_id: int) -> VersionInScope:
    found = _load(session, version_id)
    if found.unit is None or not policies.can_review(session, principal, found.unit):
        raise NotFound("清单版本不存在")
    return found


def _version_out(found: VersionInScope) -> VersionOut:
    return VersionOut.of(found.version, found.power_list, found.unit)


def _draft_out(session: Session, found: VersionInScope) -> DraftOut:
    content = service.content_of(session, version=found.version)
    return DraftOut.with_content(found.version, found.power_list, found.unit, content)


@router.post(
    "/units/{code}/lists/{kind}/drafts",
    name="api.lists.create_draft",
    status_code=201,
    responses={k: ERRORS[k] for k in (403, 404, 409, 422)},
)
def create_draft(
    session: SessionDep, principal: Editor, code: UnitCode, kind: ListKind, body: DraftCreate
) -> DraftOut:
    """Start the list's draft: blank, a copy of the published version, or a standard list."""
    unit = unit_service.get_unit_by_code(session, code=code)
    if not policies.can_edit_list(principal, unit):
        raise NotFound("单位不存在")
    standard_list = None
    if body.source == DraftSource.STANDARD:
        if body.standard_list_id is None:
            raise ValidationFailed({"standard_list_id": "请选择标准清单"})
        standard_list = service.get_list(session, list_id=body.standard_list_id)
        if not standard_list.is_standard:
            raise NotFound("标准清单不存在")
    power_list = service.get_or_create_list(session, unit=unit, kind=kind, actor=principal.user)
    draft = service.create_draft(
        session,
        power_list=power_list,
        actor=principal.user,
        source=DRAFT_SOURCE_VERSION_SOURCE[body.source],
        standard_list=standard_list,
    )
    return _draft_out(session, VersionInScope(draft, power_list, unit))


@router.get(
    "/drafts/{version_id}", name="api.lists.draft", responses={k: ERRORS[k] for k in (403, 404)}
)
def get_draft(session: SessionDep, principal: Editor, version_id: VersionId) -> DraftOut:
    """A version of a list you edit, with its content and workflow state."""
    return _draft_out(session, _editable(session, principal, version_id))


@router.put(
    "/drafts/{version_id}",
    name="api.lists.save_draft",
    responses={k: ERRORS[k] for k in (403, 404, 409, 422)},
    openapi_extra=_body_doc("ListContent", CONTENT_EXAMPLE),
)
def save_draft(
    session: SessionDep, principal: Editor, version_id: VersionId, body: JsonBody
) -> DraftOut:
    """Replace the draft's whole content (a ListContent). Items keep the `key` they carry;
    items without one, or with a key this list never had, get a new key."""
    found = _editable(session, principal, version_id)
    service.require_draft(found.version)
    content = _parse(ListContent, body)
    content = keep_own_keys(content, list_item_keys(session, power_list=found.power_list))
    service.save_content(session, version=found.version, content=content, actor=principal.user)
    return _draft_out(session, found)


@router.post(
    "/drafts/{version_id}/items",
    name="api.lists.add_item",
    status_code=201,
    responses={k: ERRORS[k] for k in (403, 404, 409, 422)},
    openapi_extra=_body_doc("ItemSpec", ITEM_EXAMPLE),
)
def add_item(
    session: SessionDep, principal: Editor, version_id: VersionId, body: JsonBody
) -> ItemOut:
    """Append a power item (an ItemSpec; its `key` is ignored, a new one is returned)."""
    found = _editable(session, principal, version_id)
    spec = _parse(ItemSpec, body)
    key = editing.add_item(session, version=found.version, spec=spec, actor=principal.user)
    return ItemOut(key=key, item=editing.get_item(session, version=found.version, key=key))


@router.put(
    "/drafts/{version_id}/items/{key}",
    name="api.lists.update_item",
    responses={k: ERRORS[k] for k in (403, 404, 409, 422)},
    openapi_extra=_body_doc("ItemSpec", ITEM_EXAMPLE),
)
def update_item(
    session: SessionDep, principal: Editor, version_id: VersionId, key: ItemKey, body: JsonBody
) -> ItemOut:
    """Replace one item's fields, steps and risks; its key and position stay."""
    found = _editable(session, principal, version_id)
    spec = _parse(ItemSpec, body)
    editing.update_item(session, version=found.version, key=key, spec=spec, actor=principal.user)
    return ItemOut(key=key, item=editing.get_item(session, version=found.version, key=key))


@router.delete(
    "/drafts/{version_id}/items/{key}",
    name="api.lists.delete_item",
    status_code=204,
    responses={k: ERRORS[k] for k in (403, 404, 409)},
)
def delete_item(
    session: SessionDep, principal: Editor, version_id: VersionId, key: ItemKey
) -> Response:
    found = _editable(session, principal, version_id)
    editing.delete_item(session, version=found.version, key=key, actor=principal.user)
    return Response(status_code=204)


# ---------------------------------------------------------------------------------------------
# Review


@router.post(
    "/drafts/{version_id}/submit",
    name="api.lists.submit",
    responses={k: ERRORS[k] for k in (403, 404, 409, 422)},
)
def submit(session: SessionDep, principal: Editor, version_id: VersionId) -> VersionOut:
    """Send the draft to the supervising team; 422 lists what blocks review."""
    found = _editable(session, principal, version_id)
    if found.unit is None:
        raise Conflict("标准清单由系统管理员直接发布，无需提交审核")
    service.submit(session, version=found.version, actor=principal.user)
    return _version_out(found)


@router.post(
    "/versions/{version_id}/approve",
    name="api.lists.approve",
    responses={k: ERRORS[k] for k in (403, 404, 409)},
)
def approve(session: SessionDep, principal: Publisher, version_id: VersionId) -> VersionOut:
    """Approve a submission and publish it (supervising team leads and admins)."""
    found = _reviewable(session, principal, version_id)
    assert found.unit is not None
    if not policies.can_publish(session, principal, found.unit, found.version):
        raise PermissionDenied("您不能审核通过该清单（本人提交的清单须由他人审核）")
    service.approve(session, version=found.version, actor=principal.user)
    return _version_out(found)


@router.post(
    "/versions/{version_id}/return",
    name="api.lists.return_for_changes",
    responses={k: ERRORS[k] for k in (403, 404, 409, 422)},
)
def return_for_changes(
    session: SessionDep, principal: Reviewer, version_id: VersionId, body: ReturnBody
) -> VersionOut:
    """Send a submission back to its editors with what to change."""
    found = _reviewable(session, principal, version_id)
    service.return_for_changes(
        session, version=found.version, actor=principal.user, comment=body.comment
    )
    return _version_out(found)


# ---------------------------------------------------------------------------------------------
# Standard lists


@router.get("/standard-lists", name="api.lists.standard_lists", responses={403: ERRORS[403]})
def standard_lists(session: SessionDep, principal: Editor) -> list[StandardListOut]:
    """County standard lists, to adopt with source "standard" (ids) or to publish to units."""
    rows = standard_rows(session, standard.standard_lists(session))
    return [
        StandardListOut(
            id=row.power_list.id or 0,
            title=row.power_list.title,
            unit_kind=row.power_list.standard_for_kind,
            kind=row.power_list.kind,
            version=row.current.number if row.current else None,
            published_at=row.current.published_at if row.current else None,
            open_draft_id=row.draft.id if row.draft else None,
        )
        for row in rows
    ]


@router.post(
    "/standard-lists/{list_id}/publish-to-units",
    name="api.lists.publish_to_units",
    responses={k: ERRORS[k] for k in (403, 404, 409, 422)},
)
def publish_to_units(
    session: SessionDep, principal: Manager, list_id: ListId, body: BulkPublishIn
) -> BulkPublishOut:
    """Publish the standard list's current version as a new published version of every active
    unit of `unit_kinds` below `parent_code`; units with an open draft are skipped."""
    standard_list = service.get_list(session, list_id=list_id)
    if not standard_list.is_standard:
        raise NotFound("标准清单不存在")
    scope = unit_service.get_unit_by_code(session, code=body.parent_code)
    targets = bulk_targets(session, scope=scope, kinds=body.unit_kinds)
    if not targets:
        raise ValidationFailed({"parent_code": "该范围内没有所选类型的单位"})
    result = standard.publish_standard_to_units(
        session, standard_list=standard_list, units=targets, actor=principal.user
    )
    by_id = {u.id: u for u in targets}
    return BulkPublishOut(
        standard_list_id=list_id,
        published_count=len(result.published),
        skipped_count=len(result.skipped),
        published=[
            BulkUnitOut(code=by_id[uid].code, name=by_id[uid].name, version_id=vid)
            for uid, vid in result.published.items()
        ],
        skipped=[
            BulkUnitOut(code=by_id[uid].code, name=by_id[uid].name, reason=reason)
            for uid, reason in result.skipped.items()
        ],
    )
