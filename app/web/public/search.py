"""GET /search?q= — units (name, code, pinyin) and published power items; htmx live results."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.powerlist import search as search_service
from app.web.deps import SessionDep
from app.web.htmx import render

router = APIRouter()


@router.get("/search", name="public.search")
def search(
    request: Request, session: SessionDep, q: str = "", page: int = 1, item_page: int = 1
) -> Response:
    """The full page, or block `search_results` for the live search boxes (htmx).

    `page` pages through units and `item_page` through items, each section on its own.
    """
    results = search_service.search(session, query=q, unit_page=page, item_page=item_page)
    context = {
        "q": results.query,
        "results": results if results.query else None,
        "common_queries": search_service.COMMON_QUERIES,
    }
    return render(request, "public/search.html", context, blocks=["search_results"])
