"""GET /units/{code} — a unit's public page: hotline, supervising team, its three lists, children.

Also the helpers the other public list pages share: finding a publicly visible unit, its
contact (hotline and supervising team, inherited), its current list versions and how fresh
they are, and what of all that goes into an ETag.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from app.config import get_settings
from app.core import clock
from app.powerlist import service as list_service
from app.powerlist.models import ListVersion, PowerList
from app.powerlist.service import PublishedList
from app.powerlist.specs import LIST_KIND_LABELS, ItemSpec, ListKind
from app.stats import public as public_stats
from app.stats.periods import Period
from app.unit import service as unit_service
from app.unit.models import TOWNSHIP_KINDS, UNIT_KIND_LABELS, Team, Unit, UnitKind
from app.unit.service import Inherited
from app.web.caching import PAGE_CACHE, conditional, page_etag
from app.web.deps import SessionDep
from app.web.htmx import is_htmx, render

router = APIRouter()

# Citizens look for their own kind of place first: communities and villages before offices.
_GROUP_ORDER = [
    UnitKind.SUBDISTRICT,
    UnitKind.TOWNSHIP,
    UnitKind.COMMUNITY,
    UnitKind.VILLAGE,
    UnitKind.OFFICE,
    UnitKind.INSTITUTION,
    UnitKind.STATION,
    UnitKind.COUNTY,
    UnitKind.CITY,
    UnitKind.PROVINCE,
]

# Short names for the three lists where the unit's name is already on the page.
LIST_SHORT_LABELS: dict[ListKind, str] = {
    ListKind.DUTY: "职责清单",
    ListKind.CADRE: "干部履职清单",
    ListKind.NEGATIVE: "负面清单",
}


@dataclass(frozen=True)
class ChildGroup:
    label: str
    units: list[Unit]


def group_children(children: list[Unit]) -> list[ChildGroup]:
    """Children grouped by kind (社区, 村 …) in the order citizens look for them."""
    by_kind: dict[UnitKind, list[Unit]] = {}
    for child in children:
        by_kind.setdefault(child.kind, []).append(child)
    return [
        ChildGroup(UNIT_KIND_LABELS[kind], by_kind[kind])
        for kind in _GROUP_ORDER
        if kind in by_kind
    ]


# ---------------------------------------------------------------------------------------------
# Shared by every public page about a unit or one of its lists


@dataclass(frozen=True)
class Place:
    """A publicly visible unit with its ancestors (root first), as breadcrumbs need them."""

    unit: Unit
    chain: list[Unit]


def visible(unit: Unit, chain: list[Unit]) -> bool:
    # A unit under a deactivated township is as gone as the township itself.
    return unit.is_active and all(ancestor.is_active for ancestor in chain)


def public_place(session: Session, *, code: str) -> Place:
    """The unit with this code and its ancestors; 404 when unknown or deactivated."""
    unit = unit_service.get_unit_by_code(session, code=code)
    chain = unit_service.ancestors(session, unit=unit)
    if not visible(unit, chain):
        unit_service.raise_not_found()
    return Place(unit, chain)


@dataclass(frozen=True)
class Contact:
    """Where citizens turn about a unit (or an item): the hotline and the supervising team."""

    hotline: Inherited
    team: Team | None


def unit_contact(session: Session, place: Place, *, item_team: Team | None = None) -> Contact:
    """The item's own supervising team if it has one, else the unit's (inherited), else the
    county commission's default team; the hotline inherits up the tree."""
    team = item_team
    if team is None:
        team = unit_service.effective_team(session, unit=place.unit, chain=place.chain).team
    if team is None:
        team = unit_service.default_team(session)
    return Contact(unit_service.effective_hotline(place.unit, place.chain), team)


def place_signature(place: Place, contact: Contact) -> list[object]:
    """What of the unit, its ancestors and its contact a page shows, for the ETag: a new
    township hotline or team phone changes every village page below it."""
    team = contact.team
    return [
        [place.unit.id, place.unit.code, place.unit.name, place.unit.kind, place.unit.address],
        place.unit.updated_at,
        [(a.id, a.code, a.name, a.updated_at) for a in place.chain],
        [contact.hotline.value, contact.hotline.source.id if contact.hotline.source else None],
        [team.id, team.name, team.phone] if team is not None else None,
    ]


def current_versions(session: Session, *, unit: Unit) -> dict[ListKind, ListVersion]:
    """The unit's currently published version of each kind, without content (one query)."""
    rows = session.exec(
        select(PowerList, ListVersion)
        .join(ListVersion, col(ListVersion.id) == col(PowerList.current_version_id))
        .where(PowerList.unit_id == unit.id)
    ).all()
    return {power_list.kind: version for power_list, version in rows}


def _months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def stale_label(version: ListVersion, *, now: datetime | None = None) -> str:
    """「超过 N 个月未更新」 for a current version older than LIST_STALE_AFTER_DAYS, else ""."""
    now = now or clock.now()
    max_age = get_settings().list_stale_after_days
    if version.published_at is None or not list_service.is_stale(
        version, now=now, max_age_days=max_age
    ):
        return ""
    published = clock.to_local(version.published_at).date()
    today = clock.to_local(now).date()
    months = _months_between(published, today)
    if months >= 1:
        return f"超过 {months} 个月未更新"
    return f"超过 {(today - published).days} 天未更新"


def versions_signature(versions: dict[ListKind, ListVersion]) -> list[object]:
    """Published versions never change, so their ids stand for their content; the stale label
    is part of the page too and appears with time alone."""
    return [(kind, v.id, stale_label(v)) for kind, v in sorted(versions.items())]


# ---------------------------------------------------------------------------------------------
# The unit page


@dataclass(frozen=True)
class Category:
    name: str
    items: list[ItemSpec]


@dataclass(frozen=True)
class ListSummary:
    """One of the unit's three lists as the unit page shows it; `published` None: 尚未公布."""

    kind: ListKind
    label: str
    published: PublishedList | None
    stale: str
    count: int
    categories: list[Category]


def group_by_category(items: list[ItemSpec]) -> list[Category]:
    """Items by category (集体管理, 便民服务 …) in the order the list first uses them."""
    groups: dict[str, list[ItemSpec]] = {}
    for item in items:
        groups.setdefault(item.category or "其他", []).append(item)
    return [Category(name, grouped) for name, grouped in groups.items()]


def entry_count(published: PublishedList) -> int:
    content = published.content
    return len(content.items) + len(content.cadre_duties) + len(content.negative_items)


def summarise_lists(overview: dict[ListKind, PublishedList]) -> list[ListSummary]:
    summaries = []
    for kind in ListKind:
        published = overview.get(kind)
        summaries.append(
            ListSummary(
                kind=kind,
                label=LIST_KIND_LABELS[kind],
                published=published,
                stale=stale_label(published.version) if published else "",
                count=entry_count(published) if published else 0,
                categories=group_by_category(published.content.items) if published else [],
            )
        )
    return summaries


def stats_township(place: Place) -> Unit | None:
    """The township whose /stats page lists this unit (itself, or the one above it)."""
    if place.unit.kind in TOWNSHIP_KINDS:
        return place.unit
    return next((u for u in reversed(place.chain) if u.kind in TOWNSHIP_KINDS), None)


@router.get("/units/{code}", name="public.unit")
def unit_page(request: Request, session: SessionDep, code: str) -> Response:
    """The full page; for htmx (the home page's township expanders) only block `child_units`.

    The ETag comes from cheap queries (unit, ancestors, team, current version ids, children)
    and this year's public figures (one or two GROUP BY queries); the lists' content is loaded
    and the template rendered only when it does not match. The figures go into the ETag as
    shown (suppressed), so a new ticket, an answer, a deadline passing or a new year can never
    leave a browser with an old 监督数据 section that keeps revalidating as current.
    """
    place = public_place(session, code=code)
    contact = unit_contact(session, place)
    versions = current_versions(session, unit=place.unit)
    children = unit_service.list_children(session, unit=place.unit)
    period = Period.current_year()
    # The home page's expanders only want block child_units: no figures for them.
    figures = (
        None
        if is_htmx(request)
        else public_stats.unit_figures(session, unit=place.unit, period=period)
    )
    etag = page_etag(
        request,
        "unit",
        place_signature(place, contact),
        versions_signature(versions),
        [(c.id, c.code, c.name, c.kind) for c in children],
        [period.label, asdict(figures) if figures is not None else None],
    )

    def build() -> Response:
        overview = list_service.unit_lists_overview(session, unit=place.unit)
        context = {
            "unit": place.unit,
            "chain": place.chain,
            "hotline": contact.hotline,
            "team": contact.team,
            "lists": summarise_lists(overview),
            "any_published": bool(overview),
            "child_groups": group_children(children),
            "child_count": len(children),
            "stats_period": period,
            "stats": figures,
            "stats_township": stats_township(place),
        }
        return render(request, "public/unit.html", context, blocks=["child_units"])

    return conditional(request, etag=etag, cache_control=PAGE_CACHE, build=build)
