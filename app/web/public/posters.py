"""QR codes of units and items (SVG, PNG) and the printable A4/A3 poster of a unit (§5)."""

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from app.config import get_settings
from app.powerlist import qr
from app.powerlist import service as list_service
from app.powerlist.specs import ItemSpec, ListKind
from app.web.caching import PAGE_CACHE, QR_CACHE, asset_etag, conditional, page_etag
from app.web.deps import SessionDep
from app.web.htmx import render
from app.web.public.items import flowchart_svg, item_time_limit, public_item, trusted_svg
from app.web.public.units import (
    current_versions,
    place_signature,
    public_place,
    unit_contact,
    versions_signature,
)

router = APIRouter()

PNG_SCALE = 10  # pixels per module: about 3.5 cm at 300 dpi for a unit address


def public_url(request: Request, route: str, **params: str) -> str:
    """The absolute address citizens reach (PUBLIC_BASE_URL), whatever host served this one."""
    path = request.app.url_path_for(route, **params)
    return get_settings().public_base_url.rstrip("/") + str(path)


def _qr_response(
    request: Request, *, url: str, title: str, kind: Literal["svg", "png"], filename: str
) -> Response:
    # The title is only in the SVG; a PNG is the same picture whatever the name.
    etag = asset_etag("qr", kind, url, title if kind == "svg" else "", PNG_SCALE)

    def build() -> Response:
        if kind == "svg":
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n' + qr.qr_svg(url, title=title)
            ).encode()
            media_type = "image/svg+xml"
        else:
            body = qr.qr_png(url, scale=PNG_SCALE)
            media_type = "image/png"
        return Response(
            body,
            media_type=media_type,
            headers={"Content-Disposition": f'inline; filename="{filename}.{kind}"'},
        )

    return conditional(request, etag=etag, cache_control=QR_CACHE, build=build)


@router.get("/units/{code}/qr.svg", name="public.unit_qr_svg")
def unit_qr_svg(request: Request, session: SessionDep, code: str) -> Response:
    place = public_place(session, code=code)
    url = public_url(request, "public.unit", code=place.unit.code)
    return _qr_response(
        request, url=url, title=place.unit.name, kind="svg", filename=f"qr-{place.unit.code}"
    )


@router.get("/units/{code}/qr.png", name="public.unit_qr_png")
def unit_qr_png(request: Request, session: SessionDep, code: str) -> Response:
    place = public_place(session, code=code)
    url = public_url(request, "public.unit", code=place.unit.code)
    return _qr_response(
        request, url=url, title=place.unit.name, kind="png", filename=f"qr-{place.unit.code}"
    )


@router.get("/items/{key}/qr.svg", name="public.item_qr_svg")
def item_qr_svg(request: Request, session: SessionDep, key: str) -> Response:
    found = public_item(session, key=key)
    url = public_url(request, "public.item", key=found.view.row.key)
    return _qr_response(
        request,
        url=url,
        title=found.view.item.name,
        kind="svg",
        filename=f"qr-{found.view.row.key}",
    )


@router.get("/items/{key}/qr.png", name="public.item_qr_png")
def item_qr_png(request: Request, session: SessionDep, key: str) -> Response:
    found = public_item(session, key=key)
    url = public_url(request, "public.item", key=found.view.row.key)
    return _qr_response(
        request,
        url=url,
        title=found.view.item.name,
        kind="png",
        filename=f"qr-{found.view.row.key}",
    )


@dataclass(frozen=True)
class PosterItem:
    item: ItemSpec
    time_limit: str
    flowchart: Markup


PosterSize = Literal["a4", "a3"]


@router.get("/units/{code}/poster", name="public.unit_poster")
def unit_poster(
    request: Request,
    session: SessionDep,
    code: str,
    size: Annotated[PosterSize, Query(description="纸张：a4 或 a3")] = "a4",
) -> Response:
    """A page to print and put up on the notice board: who supervises, the hotline, a large QR
    code to the unit page, the duty and negative lists and every item's flowchart."""
    place = public_place(session, code=code)
    contact = unit_contact(session, place)
    versions = current_versions(session, unit=place.unit)
    etag = page_etag(
        request,
        "poster",
        size,
        place_signature(place, contact),
        versions_signature(versions),
        get_settings().public_base_url,
    )

    def build() -> Response:
        overview = list_service.unit_lists_overview(session, unit=place.unit)
        duty = overview.get(ListKind.DUTY)
        negative = overview.get(ListKind.NEGATIVE)
        url = public_url(request, "public.unit", code=place.unit.code)
        items = [
            PosterItem(item, item_time_limit(item), trusted_svg(flowchart_svg(item)))
            for item in (duty.content.items if duty else [])
        ]
        context = {
            "unit": place.unit,
            "hotline": contact.hotline,
            "team": contact.team,
            "size": size,
            "other_size": "a3" if size == "a4" else "a4",
            "unit_url": url,
            "qr": trusted_svg(qr.qr_svg(url, title=f"{place.unit.name}小微权力清单")),
            "duty": duty,
            "items": items,
            "negative": negative,
        }
        return render(request, "public/posters/unit.html", context)

    return conditional(request, etag=etag, cache_control=PAGE_CACHE, build=build)
