"""GET /staff/stats/report.docx — the period report (工作总结素材) for a period and a scope."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import ValidationFailed
from app.stats import report
from app.stats.periods import Period
from app.stats.scope import scope_for
from app.web.deps import SessionDep, require

router = APIRouter()

StatsReader = Annotated[Principal, Depends(require(Permission.STATS_READ))]
Param = Annotated[str, Query(max_length=40)]


def optional_id(raw: str, field: str, message: str) -> int | None:
    """Forms send `team=` when nothing is chosen: empty means none, digits an id."""
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ValidationFailed({field: message})
    return int(text)


def docx_disposition(filename: str) -> str:
    # RFC 6266 / 5987: modern browsers take the UTF-8 name, old clients the ASCII fallback.
    return f"attachment; filename=\"report.docx\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/stats/report.docx", name="backoffice.stats_report.download")
def download(
    session: SessionDep,
    principal: StatsReader,
    period: Param = "",
    value: Param = "",
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    unit: Param = "",
    team: Param = "",
    category: Param = "",
    kind: Param = "",
) -> Response:
    chosen = Period.parse(period=period, value=value, start=from_, end=to)
    scope = scope_for(
        session,
        principal,
        unit_code=unit,
        team_id=optional_id(team, "team", "监督单位参数有误"),
        category_id=optional_id(category, "category", "类别参数有误"),
        kind=kind,
    )
    data = report.period_report_docx(session, scope, chosen)
    return Response(
        data,
        media_type=report.DOCX_MEDIA_TYPE,
        headers={
            "Content-Disposition": docx_disposition(report.filename(scope, chosen)),
            "Cache-Control": "private, no-store",
        },
    )
