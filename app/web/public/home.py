"""GET / — search box, townships of the county, hotline, how it works; the text-size toggle."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.unit import service as unit_service
from app.unit.models import GRASSROOTS_KINDS, TOWNSHIP_KINDS, Unit
from app.web.deps import SessionDep
from app.web.htmx import render

router = APIRouter()

TEXT_SIZE_COOKIE = "xw_text"


def _village_counts(session: Session, parent_ids: list[int]) -> dict[int, int]:
    """Active villages and communities directly under each parent (one query for all)."""
    if not parent_ids:
        return {}
    rows = session.exec(
        select(Unit.parent_id, func.count())
        .where(
            col(Unit.parent_id).in_(parent_ids),
            col(Unit.kind).in_(GRASSROOTS_KINDS),
            col(Unit.is_active).is_(True),
        )
        .group_by(col(Unit.parent_id))
    ).all()
    return {int(parent_id): int(n) for parent_id, n in rows if parent_id is not None}


@router.get("/", name="public.home")
def home(request: Request, session: SessionDep) -> Response:
    county = unit_service.get_home_county(session)
    children = unit_service.list_children(session, unit=county) if county else []
    townships = [unit for unit in children if unit.kind in TOWNSHIP_KINDS]
    chain = unit_service.ancestors(session, unit=county) if county else []
    context = {
        "county": county,
        "townships": townships,
        # Offices and institutions directly under the county (民政局, 敬老院 …).
        "county_units": [unit for unit in children if unit.kind not in TOWNSHIP_KINDS],
        "village_counts": _village_counts(session, [t.id for t in townships if t.id is not None]),
        "hotline": unit_service.effective_hotline(county, chain) if county else None,
        "default_team": unit_service.default_team(session),
    }
    return render(request, "public/home.html", context)


@router.post("/prefs/text-size", name="public.text_size")
def text_size(
    request: Request,
    size: Annotated[str, Form()] = "normal",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Toggle large text (适老化) with a cookie, so it works without JavaScript."""
    target = (
        next if next.startswith("/") and not next.startswith("//") and "\\" not in next else "/"
    )
    response = RedirectResponse(target, status_code=303)
    if size == "large":
        response.set_cookie(
            TEXT_SIZE_COOKIE, "large", max_age=365 * 86400, samesite="lax", httponly=True
        )
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE)
    return response
