"""GET /staff — the signed-in user's dashboard, with figures scoped to their roles."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.account.permissions import Permission
from app.account.service import Principal
from app.stats import dashboard as dashboard_stats
from app.stats.dashboard import StatsOverview
from app.stats.figures import Dimension
from app.stats.measures import Measure
from app.web.backoffice import calendar
from app.web.backoffice.stats import THREE_RATES, Links, rate_rows, trusted_svg
from app.web.deps import SessionDep, require
from app.web.htmx import render

router = APIRouter()


def stats_context(request: Request, stats: StatsOverview) -> dict[str, Any]:
    """Links and inline SVG for the statistics section; every figure links to what it counts,
    every chart to the statistics page grouped the same way."""
    links = Links(request, stats.period, stats.scope)
    charts = stats.charts
    return {
        "links": links,
        "rates": rate_rows(stats.figures, THREE_RATES),
        "open_measure": Measure.OPEN,
        "overdue_measure": Measure.OVERDUE_OPEN,
        "received_measure": Measure.RECEIVED,
        "charts": [
            (charts.trend, trusted_svg(charts.trend), links.page(Dimension.MONTH.value)),
            (
                charts.category,
                trusted_svg(charts.category),
                links.page(Dimension.CATEGORY.value),
            ),
            (
                charts.township,
                trusted_svg(charts.township),
                links.page(Dimension.TOWNSHIP.value),
            ),
            (charts.ageing, trusted_svg(charts.ageing), links.page()),
        ],
    }


@router.get("", name="backoffice.dashboard")
def dashboard(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Permission.DASHBOARD_READ))],
) -> Response:
    figures = dashboard_stats.dashboard_for(session, principal=principal)
    context = {
        "principal": principal,
        "figures": figures,
        "overview": stats_context(request, figures.stats) if figures.stats else None,
        "calendar_warning": calendar.dashboard_warning(session, principal),
    }
    return render(request, "backoffice/dashboard.html", context)
