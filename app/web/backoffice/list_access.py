"""Scope checks shared by the list screens: which unit, list and version a principal may open."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi import Path as PathParam
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import NotFound, PermissionDenied
from app.powerlist import policies, service
from app.powerlist.models import ListVersion, PowerList
from app.powerlist.specs import ListKind
from app.unit.models import Unit
from app.web.deps import require

MAX_ID = 2_147_483_647
VersionId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
UnitId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
Position = Annotated[int, PathParam(ge=1, le=10_000)]
ItemKey = Annotated[str, PathParam(min_length=1, max_length=16, pattern=r"^[a-z0-9]+$")]

# Editors and reviewers both look at lists and there is no read permission of its own, so the
# overview screens ask for what every staff member holds and scope by policy inside.
ListReader = Annotated[Principal, Depends(require(Permission.UNIT_READ))]
ListEditor = Annotated[Principal, Depends(require(Permission.POWERLIST_EDIT))]
ListReviewer = Annotated[Principal, Depends(require(Permission.POWERLIST_REVIEW))]
ListPublisher = Annotated[Principal, Depends(require(Permission.POWERLIST_PUBLISH))]


@dataclass(frozen=True)
class Found:
    """A version with its list and unit (None for a county standard list)."""

    version: ListVersion
    power_list: PowerList
    unit: Unit | None

    @property
    def kind(self) -> ListKind:
        return self.power_list.kind


def parse_kind(value: str) -> ListKind:
    if value not in ListKind.__members__.values():
        raise NotFound("清单不存在")
    return ListKind(value)


def sees_unit_lists(session: Session, principal: Principal, unit: Unit) -> bool:
    """The unit's editors and its supervising team (and admins) see its lists."""
    return policies.can_edit_list(principal, unit) or policies.can_review(session, principal, unit)


def visible_unit(session: Session, principal: Principal, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or not sees_unit_lists(session, principal, unit):
        raise NotFound("单位不存在")
    return unit


def _load(session: Session, version_id: int) -> Found:
    version = service.get_version(session, version_id=version_id)
    power_list = service.get_list(session, list_id=version.list_id)
    unit = session.get(Unit, power_list.unit_id) if power_list.unit_id is not None else None
    return Found(version, power_list, unit)


def editable(session: Session, principal: Principal, version_id: int) -> Found:
    """A version the principal may edit: 404 outside their scope, 403 for its reviewers."""
    found = _load(session, version_id)
    if policies.can_edit_list(principal, found.unit):
        return found
    if found.unit is not None and policies.can_review(session, principal, found.unit):
        raise PermissionDenied("只有本单位的填报人员可以修改清单")
    raise NotFound("清单版本不存在")


def reviewable(session: Session, principal: Principal, version_id: int) -> Found:
    """A unit list version the principal may review: 404 outside scope, 403 for its editors."""
    found = _load(session, version_id)
    if found.unit is None:
        raise NotFound("清单版本不存在")
    if policies.can_review(session, principal, found.unit):
        return found
    if policies.can_edit_list(principal, found.unit):
        raise PermissionDenied("只有监督单位可以审核清单")
    raise NotFound("清单版本不存在")


def target_block(request: Request, blocks: list[str]) -> list[str]:
    """The block whose DOM id htmx will replace (HX-Target "item-list" → "item_list"),
    else the first of `blocks`."""
    wanted = (request.headers.get("HX-Target") or "").replace("-", "_")
    return [wanted] if wanted in blocks else blocks[:1]
