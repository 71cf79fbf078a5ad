"""GET /items/{key} and /items/{key}/flowchart.svg — a published power item with its flowchart."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session, select

from app.core.errors import NotFound
from app.powerlist import flowchart
from app.powerlist import service as list_service
from app.powerlist.models import PowerList
from app.powerlist.service import ItemView
from app.powerlist.specs import ItemSpec, ListKind, NegativeSpec, format_time_limit
from app.unit import service as unit_service
from app.web.caching import IMAGE_CACHE, PAGE_CACHE, asset_etag, conditional, page_etag
from app.web.deps import SessionDep
from app.web.htmx import render
from app.web.public.units import Place, place_signature, stale_label, unit_contact, visible

router = APIRouter()

ITEM_NOT_FOUND = "事项不存在或已不在当前清单中"


def trusted_svg(svg: str) -> Markup:
    """Let an SVG drawn by our own code be inlined in a page.

    Only for the output of flowchart.render_svg and qr.qr_svg: they write every element
    themselves and escape every text they embed (item and step names, actors, titles), so
    nothing a user typed can become markup. Templates may not use `|safe` (CI refuses it);
    this named function is the one door, and it takes nothing but those generators' output.
    """
    # Safe by construction: see the docstring (the generators escape all embedded text).
    return Markup(svg)


@dataclass(frozen=True)
class PublicItem:
    view: ItemView
    place: Place


def public_item(session: Session, *, key: str) -> PublicItem:
    """The currently published item with this key; 404 for removed (superseded) items,
    standard-list templates and items of deactivated units."""
    view = list_service.get_item_by_key(session, key=key)
    chain = unit_service.ancestors(session, unit=view.unit)
    if not visible(view.unit, chain):
        raise NotFound(ITEM_NOT_FOUND)
    return PublicItem(view, Place(view.unit, chain))


def item_time_limit(item: ItemSpec) -> str:
    return format_time_limit(item.time_limit, item.time_unit)


def flowchart_svg(item: ItemSpec) -> str:
    limit = item_time_limit(item)
    return flowchart.render_svg(
        item.name, item.steps, time_limit_text=f"办理时限：{limit}" if limit else ""
    )


def _negative_version_id(session: Session, place: Place) -> int | None:
    return session.exec(
        select(PowerList.current_version_id).where(
            PowerList.unit_id == place.unit.id, PowerList.kind == ListKind.NEGATIVE
        )
    ).first()


def related_negatives(
    session: Session, place: Place, refs: list[str]
) -> tuple[list[NegativeSpec], list[str]]:
    """The unit's current negative items the item refers to, and refs that match none."""
    if not refs:
        return [], []
    published = list_service.current_published(session, unit=place.unit, kind=ListKind.NEGATIVE)
    by_number = {n.number: n for n in published.content.negative_items} if published else {}
    return (
        [by_number[ref] for ref in refs if ref in by_number],
        [ref for ref in refs if ref not in by_number],
    )


@router.get("/items/{key}", name="public.item")
def item_page(request: Request, session: SessionDep, key: str) -> Response:
    found = public_item(session, key=key)
    view = found.view
    contact = unit_contact(session, found.place, item_team=view.team_override)
    negative_version_id = _negative_version_id(session, found.place)
    etag = page_etag(
        request,
        "item",
        place_signature(found.place, contact),
        # Rows of a published version never change; a new version means new row ids.
        [view.row.id, view.version.id, negative_version_id, stale_label(view.version)],
    )

    def build() -> Response:
        negatives, unmatched = related_negatives(session, found.place, view.item.negative_refs)
        context = {
            "unit": found.place.unit,
            "chain": found.place.chain,
            "hotline": contact.hotline,
            "team": contact.team,
            "team_is_override": view.team_override is not None,
            "item": view.item,
            "key": view.row.key,
            "version": view.version,
            "stale": stale_label(view.version),
            "item_limit": item_time_limit(view.item),
            "flowchart": trusted_svg(flowchart_svg(view.item)),
            "negatives": negatives,
            "unmatched_refs": unmatched,
        }
        return render(request, "public/items/item.html", context)

    return conditional(request, etag=etag, cache_control=PAGE_CACHE, build=build)


@router.get("/items/{key}/flowchart.svg", name="public.item_flowchart")
def item_flowchart(request: Request, session: SessionDep, key: str) -> Response:
    """The flowchart as a standalone SVG file (for saving, printing, embedding elsewhere)."""
    found = public_item(session, key=key)
    etag = asset_etag("flowchart", found.view.row.id, found.view.version.id)

    def build() -> Response:
        svg = '<?xml version="1.0" encoding="UTF-8"?>\n' + flowchart_svg(found.view.item)
        return Response(
            svg.encode(),
            media_type="image/svg+xml",
            headers={
                "Content-Disposition": f'inline; filename="flowchart-{found.view.row.key}.svg"'
            },
        )

    return conditional(request, etag=etag, cache_control=IMAGE_CACHE, build=build)
