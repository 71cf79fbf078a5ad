"""/api/v1/units — public lookup of units, and admin changes to hotline, address and team."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import NotFound, PermissionDenied
from app.unit import policies
from app.unit import service as unit_service
from app.unit.models import UnitKind
from app.unit.schemas import UnitOut, UnitPageOut, UnitPatch
from app.web.deps import PublicRoute, SessionDep, require

router = APIRouter(prefix="/units", tags=["units"])

UnitCode = Annotated[str, PathParam(max_length=20, description="单位代码")]


@router.get("", name="api.units.index", dependencies=[PublicRoute])
def list_units(
    session: SessionDep,
    q: Annotated[str, Query(max_length=50, description="名称、代码前缀或拼音（首字母）")] = "",
    kind: Annotated[UnitKind | None, Query(description="单位类型")] = None,
    parent: Annotated[str | None, Query(max_length=20, description="上级单位代码")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> UnitPageOut:
    """Search active units; open to everyone, like the public pages."""
    result = unit_service.search_units(
        session,
        query=q,
        kind=kind,
        parent_code=parent,
        active=True,
        page=page,
        per_page=per_page,
    )
    views = unit_service.describe_units(session, units=result.items)
    return UnitPageOut(
        items=[UnitOut.from_view(view) for view in views],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@router.get("/{code}", name="api.units.detail", dependencies=[PublicRoute])
def get_unit(session: SessionDep, code: UnitCode) -> UnitOut:
    """One active unit by its code."""
    unit = unit_service.get_unit_by_code(session, code=code)
    if not unit.is_active:
        raise NotFound("单位不存在")
    return UnitOut.from_view(unit_service.describe_unit(session, unit=unit))


@router.patch("/{code}", name="api.units.update")
def update_unit(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Permission.UNIT_UPDATE))],
    code: UnitCode,
    body: UnitPatch,
) -> UnitOut:
    """Change name, hotline, address, supervising team (`null` = inherit) or the active flag."""
    unit = policies.ensure_can_read_unit(
        principal, unit_service.get_unit_by_code(session, code=code)
    )
    if not policies.can_update_unit(principal, unit):
        raise PermissionDenied("您没有修改该单位的权限")
    unit_service.update_unit(
        session, unit=unit, actor=principal.user, **body.model_dump(include=body.model_fields_set)
    )
    return UnitOut.from_view(unit_service.describe_unit(session, unit=unit))
