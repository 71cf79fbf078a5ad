"""GET /staff — the signed-in user's dashboard, with figures scoped to their roles."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.account.permissions import Permission
from app.account.service import Principal
from app.stats import dashboard as dashboard_stats
from app.web.backoffice import calendar
from app.web.deps import SessionDep, require
from app.web.htmx import render

router = APIRouter()


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
        "calendar_warning": calendar.dashboard_warning(session, principal),
    }
    return render(request, "backoffice/dashboard.html", context)
