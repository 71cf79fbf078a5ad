"""/api/v1/statistics — the §8 figures, breakdowns and the tickets behind each figure, scoped
like the staff statistics page (admins: the county; team roles: their own teams' tickets)."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlmodel import col, select

from app.account.permissions import Permission
from app.account.service import Principal
from app.stats import figures as stats_figures
from app.stats.figures import DIMENSION_LABELS, Dimension
from app.stats.formulas import get_formula
from app.stats.measures import MEASURE_LABELS, Measure
from app.stats.periods import Period
from app.stats.scope import StatsScope, scope_for
from app.stats.supervision import list_coverage, supervision_figures
from app.unit.models import Unit
from app.web.api.statistics_schemas import (
    BreakdownOut,
    BreakdownRowOut,
    CoverageOut,
    FormulaOut,
    PeriodOut,
    ScopeOut,
    StatisticsOut,
    StatTicketOut,
    StatTicketPageOut,
    SupervisionOut,
    counts_out,
    measure_labels,
    rates_out,
)
from app.web.deps import SessionDep, require

router = APIRouter(prefix="/statistics", tags=["statistics"])

Reader = Annotated[Principal, Depends(require(Permission.STATS_READ))]
IdParam = Annotated[int | None, Query(ge=1, le=2_147_483_647)]

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "只有监督单位和系统管理员可以查看统计"},
    404: {"description": "单位、监督单位或类别不存在，或不在您的范围内"},
    422: {"description": "统计周期或条件有误；errors 按字段给出中文提示"},
}


@dataclass(frozen=True)
class Selection:
    scope: StatsScope
    period: Period


def selection(
    session: SessionDep,
    principal: Reader,
    period: Annotated[
        str, Query(max_length=10, description="month、quarter、year 或 custom；缺省为本年度")
    ] = "",
    value: Annotated[
        str, Query(max_length=10, description="2026-11、2026-Q4 或 2026", examples=["2026-11"])
    ] = "",
    start: Annotated[
        str, Query(alias="from", max_length=10, description="自定义起始日 2026-01-01")
    ] = "",
    end: Annotated[str, Query(alias="to", max_length=10, description="自定义截止日")] = "",
    unit: Annotated[str, Query(max_length=20, description="单位代码（含下级单位）")] = "",
    team: IdParam = None,
    category: IdParam = None,
    kind: Annotated[str, Query(max_length=20, description="report、complaint 或 suggestion")] = "",
) -> Selection:
    chosen = Period.parse(period=period, value=value, start=start, end=end)
    scope = scope_for(
        session, principal, unit_code=unit, team_id=team, category_id=category, kind=kind
    )
    return Selection(scope=scope, period=chosen)


Chosen = Annotated[Selection, Depends(selection)]


@router.get("", name="api.statistics.index", responses=ERRORS)
def statistics(session: SessionDep, chosen: Chosen) -> StatisticsOut:
    """Every count and rate of the tickets received in the period, with the median handling
    time, supervision figures and duty-list coverage. Merged duplicates count only in
    `received` and the duplicate rate."""
    formula = get_formula(session)
    figures = stats_figures.ticket_figures(session, chosen.scope, chosen.period, formula=formula)
    return StatisticsOut(
        period=PeriodOut.of(chosen.period),
        scope=ScopeOut.of(chosen.scope),
        formula=FormulaOut.of(formula),
        measure_labels=measure_labels(),
        counts=counts_out(figures),
        rates=rates_out(figures),
        median_handling_days=figures.median_handling_days,
        supervision=SupervisionOut.of(supervision_figures(session, chosen.scope, chosen.period)),
        coverage=CoverageOut.of(list_coverage(session, chosen.scope)),
    )


@router.get("/breakdown", name="api.statistics.breakdown", responses=ERRORS)
def breakdown(
    session: SessionDep,
    chosen: Chosen,
    by: Annotated[Dimension, Query(description="分组方式")] = Dimension.TOWNSHIP,
) -> BreakdownOut:
    """The same figures per township, unit, team, category, kind or month; each row carries
    the query that selects it."""
    rows = stats_figures.breakdown(session, chosen.scope, chosen.period, by)
    return BreakdownOut(
        period=PeriodOut.of(chosen.period),
        scope=ScopeOut.of(chosen.scope),
        by=by,
        by_label=DIMENSION_LABELS[by],
        rows=[BreakdownRowOut.of(row) for row in rows],
    )


@router.get("/tickets", name="api.statistics.tickets", responses=ERRORS)
def tickets(
    session: SessionDep,
    chosen: Chosen,
    measure: Annotated[Measure, Query(description="计数项，如 satisfied、overdue_open")],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> StatTicketPageOut:
    """Exactly the tickets a count includes (`total` equals the count), newest first."""
    result = stats_figures.drilldown(
        session, chosen.scope, chosen.period, measure, page=page, per_page=per_page
    )
    unit_ids = sorted({ticket.unit_id for ticket in result.items})
    names = dict(
        session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(unit_ids))).all()
        if unit_ids
        else []
    )
    return StatTicketPageOut(
        period=PeriodOut.of(chosen.period),
        scope=ScopeOut.of(chosen.scope),
        measure=measure,
        measure_label=MEASURE_LABELS[measure],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
        items=[
            StatTicketOut.of(
                ticket.number, ticket.status, names.get(ticket.unit_id, ""), ticket.created_at
            )
            for ticket in result.items
        ],
    )
