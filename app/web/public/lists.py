"""GET /units/{code}/lists/{kind} and …/history — a published list, its versions and diffs (§5)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core.errors import NotFound
from app.powerlist import service as list_service
from app.powerlist.diff import ListDiff
from app.powerlist.models import (
    CadreDuty,
    ListVersion,
    NegativeItem,
    PowerItem,
    PowerList,
    VersionStatus,
)
from app.powerlist.specs import LIST_KIND_LABELS, ListKind
from app.unit.models import Unit
from app.web.caching import PAGE_CACHE, conditional, page_etag
from app.web.deps import SessionDep
from app.web.htmx import render
from app.web.public.units import (
    LIST_SHORT_LABELS,
    Place,
    entry_count,
    group_by_category,
    place_signature,
    public_place,
    stale_label,
    unit_contact,
)

router = APIRouter()

NOT_PUBLISHED = "该单位尚未公布此清单"
NO_SUCH_VERSION = "清单版本不存在"


def parse_kind(kind: str) -> ListKind:
    try:
        return ListKind(kind)
    except ValueError:
        raise NotFound("清单不存在") from None


@dataclass(frozen=True)
class PublicList:
    """A unit's list that has a published version, with that current version."""

    place: Place
    power_list: PowerList
    current: ListVersion


def public_list(session: Session, *, code: str, kind: str) -> PublicList:
    """404 for an unknown kind, a hidden unit, or a list that was never published."""
    list_kind = parse_kind(kind)
    place = public_place(session, code=code)
    power_list = list_service.find_list(session, unit=place.unit, kind=list_kind)
    if power_list is None:
        raise NotFound(NOT_PUBLISHED)
    current = list_service.current_version(session, power_list=power_list)
    if current is None:
        raise NotFound(NOT_PUBLISHED)
    return PublicList(place, power_list, current)


def published_by_number(session: Session, *, power_list: PowerList, number: int) -> ListVersion:
    """A version the public may see: published or superseded; drafts and submissions 404."""
    version = list_service.get_version_by_number(session, power_list=power_list, number=number)
    if version.published_at is None:
        raise NotFound(NO_SUCH_VERSION)
    return version


def _current_duty_version_id(session: Session, unit: Unit) -> int | None:
    return session.exec(
        select(PowerList.current_version_id).where(
            PowerList.unit_id == unit.id, PowerList.kind == ListKind.DUTY
        )
    ).first()


def _item_keys(session: Session, version_id: int | None) -> dict[str, str]:
    """Power item number → key in the unit's current duty list, to link negative items' refs."""
    if version_id is None:
        return {}
    rows = session.exec(
        select(PowerItem.number, PowerItem.key).where(PowerItem.version_id == version_id)
    ).all()
    return dict(rows)


@router.get("/units/{code}/lists/{kind}", name="public.list")
def list_page(
    request: Request,
    session: SessionDep,
    code: str,
    kind: str,
    version: Annotated[int | None, Query(description="历史版本号")] = None,
) -> Response:
    """The current published version in full, or with ?version=N an earlier published one."""
    found = public_list(session, code=code, kind=kind)
    current = found.current
    shown = current
    if version is not None and version != current.number:
        shown = published_by_number(session, power_list=found.power_list, number=version)
    is_current = shown.id == current.id
    contact = unit_contact(session, found.place)
    duty_version_id = (
        _current_duty_version_id(session, found.place.unit)
        if found.power_list.kind == ListKind.NEGATIVE
        else None
    )
    stale = stale_label(current) if is_current else ""
    etag = page_etag(
        request,
        "list",
        place_signature(found.place, contact),
        [found.power_list.id, current.id, shown.id, duty_version_id, stale],
    )

    def build() -> Response:
        published = list_service.published_version(
            session, power_list=found.power_list, number=shown.number
        )
        context = {
            "unit": found.place.unit,
            "chain": found.place.chain,
            "hotline": contact.hotline,
            "team": contact.team,
            "kind": found.power_list.kind,
            "list_label": LIST_KIND_LABELS[found.power_list.kind],
            "short_label": LIST_SHORT_LABELS[found.power_list.kind],
            "published": published,
            "current": current,
            "is_current": is_current,
            "stale": stale,
            "count": entry_count(published),
            "categories": group_by_category(published.content.items),
            "item_keys": _item_keys(session, duty_version_id),
        }
        return render(request, "public/lists/list.html", context)

    return conditional(request, etag=etag, cache_control=PAGE_CACHE, build=build)


# ---------------------------------------------------------------------------------------------
# History and diffs


@dataclass(frozen=True)
class VersionRow:
    version: ListVersion
    count: int

    @property
    def is_current(self) -> bool:
        return self.version.status == VersionStatus.PUBLISHED


def entry_counts(session: Session, *, kind: ListKind, version_ids: list[int]) -> dict[int, int]:
    """Entries per version in one grouped query (the history table needs no content)."""
    if not version_ids:
        return {}
    if kind == ListKind.DUTY:
        column = col(PowerItem.version_id)
    elif kind == ListKind.CADRE:
        column = col(CadreDuty.version_id)
    else:
        column = col(NegativeItem.version_id)
    rows = session.exec(
        select(column, func.count()).where(column.in_(version_ids)).group_by(column)
    ).all()
    return {int(version_id): int(n) for version_id, n in rows}


@dataclass(frozen=True)
class Comparison:
    old: ListVersion
    new: ListVersion
    diff: ListDiff


def previous_number(numbers: list[int], number: int) -> int | None:
    """The published version before `number`, the default to compare it with."""
    older = [n for n in numbers if n < number]
    return max(older) if older else None


@router.get("/units/{code}/lists/{kind}/history", name="public.list_history")
def history_page(
    request: Request,
    session: SessionDep,
    code: str,
    kind: str,
    from_: Annotated[int | None, Query(alias="from", description="比较的旧版本号")] = None,
    to: Annotated[int | None, Query(description="比较的新版本号")] = None,
) -> Response:
    """Every published version and the field-by-field diff of two (default: previous vs
    current); for htmx (the version picker) only block `list_diff`."""
    found = public_list(session, code=code, kind=kind)
    versions = list_service.list_versions(session, power_list=found.power_list, published_only=True)
    by_number = {v.number: v for v in versions}
    new_number = to if to is not None else found.current.number
    old_number = from_ if from_ is not None else previous_number(list(by_number), new_number)
    for number in (old_number, new_number):
        if number is not None and number not in by_number:
            raise NotFound(NO_SUCH_VERSION)
    contact = unit_contact(session, found.place)
    etag = page_etag(
        request,
        "history",
        place_signature(found.place, contact),
        [found.power_list.id, [(v.id, v.status) for v in versions], old_number, new_number],
    )

    def build() -> Response:
        counts = entry_counts(
            session,
            kind=found.power_list.kind,
            version_ids=[v.id for v in versions if v.id is not None],
        )
        comparison = None
        if old_number is not None and new_number is not None:
            comparison = Comparison(
                by_number[old_number],
                by_number[new_number],
                list_service.compare_versions(
                    session,
                    power_list=found.power_list,
                    old_number=old_number,
                    new_number=new_number,
                ),
            )
        context = {
            "unit": found.place.unit,
            "chain": found.place.chain,
            "kind": found.power_list.kind,
            "list_label": LIST_KIND_LABELS[found.power_list.kind],
            "short_label": LIST_SHORT_LABELS[found.power_list.kind],
            "current": found.current,
            "rows": [VersionRow(v, counts.get(v.id or 0, 0)) for v in versions],
            "comparison": comparison,
            "old_number": old_number,
            "new_number": new_number,
        }
        return render(request, "public/lists/history.html", context, blocks=["list_diff"])

    return conditional(request, etag=etag, cache_control=PAGE_CACHE, build=build)
