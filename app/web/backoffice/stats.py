"""/staff/stats — the ticket and supervision figures of a period and scope, a breakdown, and the
drill-down from any figure to exactly the tickets it counts."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session, col, select
from starlette.routing import NoMatchFound

from app.account.permissions import Permission
from app.account.service import Principal
from app.core import clock
from app.core.errors import NotFound, ValidationFailed
from app.stats import figures as stats_figures
from app.stats.charts import Chart
from app.stats.figures import DIMENSION_LABELS, Dimension
from app.stats.formulas import FORMULA_TEXT, get_formula
from app.stats.measures import (
    MEASURE_LABELS,
    RATE_LABELS,
    RATE_PARTS,
    Measure,
    RateName,
    TicketFigures,
)
from app.stats.periods import PERIOD_KIND_LABELS, Period
from app.stats.scope import StatsScope, scope_for
from app.stats.supervision import list_coverage, supervision_figures
from app.ticket.categories import list_categories
from app.ticket.labels import KIND_LABELS, STATUS_LABELS
from app.ticket.models import Category, Ticket
from app.unit import service as unit_service
from app.unit.models import Team, Unit
from app.web.backoffice.ticket_forms import positive_int
from app.web.backoffice.tickets import no_store
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, render

router = APIRouter()

StatsReader = Annotated[Principal, Depends(require(Permission.STATS_READ))]
QueryText = Annotated[str, Query(max_length=100)]
DateText = Annotated[str, Query(max_length=10)]

INDEX = "backoffice/stats/index.html"
TICKETS = "backoffice/stats/tickets.html"
PER_PAGE = 50
DEFAULT_DIMENSION = Dimension.UNIT

# The counts shown as tiles, in reading order; every other measure appears in the rates.
COUNT_MEASURES = (
    Measure.RECEIVED,
    Measure.ACCEPTED,
    Measure.REJECTED,
    Measure.MERGED,
    Measure.ANSWERED,
    Measure.CLOSED,
    Measure.RATED,
    Measure.OPEN,
    Measure.OVERDUE_OPEN,
)
# The breakdown table's columns: counts, then rates (numerator/denominator under each).
BREAKDOWN_MEASURES = (Measure.RECEIVED, Measure.ANSWERED, Measure.OPEN, Measure.OVERDUE_OPEN)
BREAKDOWN_RATES = (
    RateName.RESPONSE,
    RateName.RESOLUTION,
    RateName.SATISFACTION,
    RateName.ON_TIME,
)
THREE_RATES = (RateName.RESPONSE, RateName.RESOLUTION, RateName.SATISFACTION)


def trusted_svg(chart: Chart) -> Markup:
    """Let a chart drawn by app.stats.charts be inlined in a page.

    Safe by construction: the charts are built with ElementTree from numbers and labels, and
    ElementTree escapes every text node and attribute value on serialization, so no label (a
    unit or category name) can become markup. Templates may not use `|safe`; this is the one
    door, and it takes nothing but a Chart.
    """
    return Markup(chart.svg)


def route_url(request: Request, name: str, params: Mapping[str, Any] | None = None) -> str | None:
    """The path of a named route with its query, or None while that route does not exist
    (pages of other modules that may not be installed)."""
    try:
        path = str(request.url_for(name).path)
    except NoMatchFound:
        return None
    encoded = urlencode([(k, v) for k, v in (params or {}).items() if v not in ("", None)])
    return path + (f"?{encoded}" if encoded else "")


class StatsFilters:
    """The period and scope query parameters every statistics page reads."""

    def __init__(
        self,
        period: QueryText = "",
        value: QueryText = "",
        from_: Annotated[str, Query(alias="from", max_length=10)] = "",
        to: DateText = "",
        unit: QueryText = "",
        team: QueryText = "",
        category: QueryText = "",
        kind: QueryText = "",
    ) -> None:
        self.period = period.strip()
        self.value = value.strip()
        self.start = from_.strip()
        self.end = to.strip()
        self.unit = unit.strip()
        self.team = team.strip()
        self.category = category.strip()
        self.kind = kind.strip()


Filters = Annotated[StatsFilters, Depends()]


@dataclass
class Selection:
    """What the filters resolved to; `errors` holds zh-CN messages by field (422)."""

    period: Period
    scope: StatsScope
    errors: dict[str, str] = field(default_factory=dict)


def select_scope(session: Session, principal: Principal, filters: StatsFilters) -> Selection:
    """Period and scope from the filters. A bad period, unit code or kind is a form error (the
    page falls back to the current year / whole scope and says so); a team outside the user's
    own, or an unknown category, is NotFound (404)."""
    errors: dict[str, str] = {}
    try:
        period = Period.parse(
            period=filters.period, value=filters.value, start=filters.start, end=filters.end
        )
    except ValidationFailed as exc:
        errors.update(exc.errors)
        period = Period.current_year()
    unit_code = filters.unit
    if unit_code:
        try:
            unit_service.get_unit_by_code(session, code=unit_code)
        except NotFound:
            errors["unit"] = f"未找到代码为 {unit_code} 的单位"
            unit_code = ""
    team_id = positive_int(filters.team) if filters.team else None
    if filters.team and team_id is None:
        raise NotFound("监督单位不存在")
    category_id = positive_int(filters.category) if filters.category else None
    if filters.category and category_id is None:
        raise NotFound("投诉类别不存在")

    def resolve(kind: str) -> StatsScope:
        return scope_for(
            session,
            principal,
            unit_code=unit_code,
            team_id=team_id,
            category_id=category_id,
            kind=kind,
        )

    try:
        scope = resolve(filters.kind)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        scope = resolve("")
    return Selection(period, scope, errors)


class Links:
    """Every figure on the page is a link: to the drill-down for ticket measures, to the
    notices and ledger pages (with their filters) for supervision figures."""

    def __init__(self, request: Request, period: Period, scope: StatsScope) -> None:
        self.request = request
        self.period = period
        self.scope = scope

    def page(self, by: str = "") -> str:
        params = {**self.period.query(), **self.scope.query(), "by": by}
        return route_url(self.request, "backoffice.stats.index", params) or ""

    def measure(
        self, measure: Measure, scope: StatsScope | None = None, period: Period | None = None
    ) -> str:
        params = {
            "measure": measure.value,
            **(period or self.period).query(),
            **(scope or self.scope).query(),
        }
        return route_url(self.request, "backoffice.stats.tickets", params) or ""

    def _range(self) -> dict[str, str]:
        return {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}

    def _team_list(self, name: str, **params: str) -> str | None:
        # The notices, inspections and talks pages filter by team and date only: a unit scope
        # cannot be shown there, so the figure stays plain text rather than link to a
        # different set.
        if self.scope.unit_id is not None:
            return None
        team = str(self.scope.team_id) if self.scope.team_id is not None else ""
        return route_url(self.request, name, {**params, "team": team, **self._range()})

    def notices(self, **params: str) -> str | None:
        return self._team_list("backoffice.notices.index", **params)

    def inspections(self) -> str | None:
        return self._team_list("backoffice.inspections.index")

    def talks(self) -> str | None:
        # Talks are listed only to their own team, admins included: for an admin's county
        # scope the list would not show what the figure counts.
        if self.scope.allowed_team_ids is None:
            return None
        return self._team_list("backoffice.talks.index")

    def ledger(self, **params: str) -> str | None:
        # The ledger filters by unit code (with the units below it), team and creation date.
        team = str(self.scope.team_id) if self.scope.team_id is not None else ""
        filters = {**params, "unit": self.scope.unit_code, "team": team, **self._range()}
        return route_url(self.request, "backoffice.ledger.index", filters)


def days_text(days: float | None) -> str:
    """3 → "3", 3.5 → "3.5", nothing answered → "—"."""
    return "—" if days is None else f"{days:g}"


def rate_rows(
    figures: TicketFigures, names: tuple[RateName, ...] = tuple(RateName)
) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "label": RATE_LABELS[name],
            "rate": figures.rates[name],
            "numerator": RATE_PARTS[name][0],
            "denominator": RATE_PARTS[name][1],
        }
        for name in names
    ]


def filter_options(session: Session, principal: Principal) -> dict[str, Any]:
    teams: list[Team] = []
    if principal.is_admin:
        teams = list(
            session.exec(
                select(Team).where(col(Team.is_active).is_(True)).order_by(col(Team.id))
            ).all()
        )
    return {
        "period_options": list(PERIOD_KIND_LABELS.items()),
        "team_options": [(team.id, team.name) for team in teams],
        "category_options": [(c.id, c.name) for c in list_categories(session, active_only=False)],
        "kind_options": [(kind.value, text) for kind, text in KIND_LABELS.items()],
        "dimension_options": list(DIMENSION_LABELS.items()),
    }


@router.get("/stats", name="backoffice.stats.index")
def index(
    request: Request,
    session: SessionDep,
    principal: StatsReader,
    filters: Filters,
    by: QueryText = "",
) -> Response:
    """Figures, rates (numerator/denominator), supervision, coverage and a breakdown; the GET
    form refreshes #stats-figures with htmx and works as a plain form without it."""
    selection = select_scope(session, principal, filters)
    period, scope = selection.period, selection.scope
    errors = dict(selection.errors)
    dimension = DEFAULT_DIMENSION
    if by.strip():
        try:
            dimension = Dimension(by.strip())
        except ValueError:
            errors["by"] = "分组方式应为乡镇、单位、监督单位、类别、类型或月份"
    now = clock.now()
    formula = get_formula(session)
    figures = stats_figures.ticket_figures(session, scope, period, formula=formula, now=now)
    rows = stats_figures.breakdown(session, scope, period, dimension, formula=formula, now=now)
    links = Links(request, period, scope)

    def drillable(row: stats_figures.BreakdownRow) -> bool:
        # The 本级 row of a unit breakdown keeps the page's scope (its whole subtree), so a
        # link from it would list more tickets than the row counts: its numbers stay text.
        return not (dimension is Dimension.UNIT and row.scope == scope)

    context = {
        "principal": principal,
        "filters": filters,
        "by": dimension.value,
        "dimension": dimension,
        "dimension_label": DIMENSION_LABELS[dimension],
        "median_measure": Measure.ANSWERED,
        "median_text": days_text(figures.median_handling_days),
        "errors": errors,
        "period": period,
        "scope": scope,
        "figures": figures,
        "fragment": is_htmx(request),
        "count_measures": COUNT_MEASURES,
        "rate_parts": RATE_PARTS,
        "measure_labels": MEASURE_LABELS,
        "rates": rate_rows(figures),
        "supervision": supervision_figures(session, scope, period),
        "coverage": list_coverage(session, scope),
        "breakdown": rows,
        "breakdown_measures": BREAKDOWN_MEASURES,
        "breakdown_rates": [(name, RATE_LABELS[name]) for name in BREAKDOWN_RATES],
        "drillable": drillable,
        "own_level_row": any(not drillable(row) for row in rows),
        "formula_text": FORMULA_TEXT(formula),
        "formulas_url": route_url(request, "backoffice.stats_formulas.edit")
        if principal.can(Permission.STATS_CONFIGURE)
        else None,
        "report_url": route_url(
            request, "backoffice.stats_report.download", {**period.query(), **scope.query()}
        ),
        "links": links,
        **filter_options(session, principal),
    }
    status_code = 422 if errors else 200
    # Like the ticket pages: figures and ticket numbers are never kept in a shared cache.
    return no_store(
        render(request, INDEX, context, blocks=["stats_figures"], status_code=status_code)
    )


@dataclass(frozen=True)
class TicketRow:
    number: str
    status: str
    unit: str
    category: str
    created_at: Any


def ticket_rows(session: Session, tickets: list[Ticket]) -> list[TicketRow]:
    unit_ids = {t.unit_id for t in tickets}
    category_ids = {t.category_id for t in tickets}
    units = {
        u.id: u.name for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids))).all()
    }
    categories = {
        c.id: c.name
        for c in session.exec(select(Category).where(col(Category.id).in_(category_ids))).all()
    }
    return [
        TicketRow(
            number=t.number,
            status=STATUS_LABELS.get(t.status, str(t.status)),
            unit=units.get(t.unit_id, ""),
            category=categories.get(t.category_id, ""),
            created_at=t.created_at,
        )
        for t in tickets
    ]


@router.get("/stats/tickets", name="backoffice.stats.tickets")
def tickets(
    request: Request,
    session: SessionDep,
    principal: StatsReader,
    filters: Filters,
    measure: QueryText = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The tickets a figure counts (the same SQL clause as the figure), newest first."""
    try:
        chosen = Measure(measure.strip())
    except ValueError:
        raise NotFound("统计项不存在") from None
    selection = select_scope(session, principal, filters)
    if selection.errors:
        raise ValidationFailed(selection.errors, next(iter(selection.errors.values())))
    period, scope = selection.period, selection.scope
    results = stats_figures.drilldown(
        session, scope, period, chosen, page=page, per_page=PER_PAGE, now=clock.now()
    )
    links = Links(request, period, scope)
    base = links.measure(chosen)

    def page_url(number: int) -> str:
        return base + (f"&page={number}" if number > 1 else "")

    context = {
        "principal": principal,
        "measure": chosen,
        "measure_label": MEASURE_LABELS[chosen],
        "period": period,
        "scope": scope,
        "results": results,
        "rows": ticket_rows(session, results.items),
        "page_url": page_url,
        "back_url": links.page(),
    }
    return no_store(render(request, TICKETS, context, blocks=["stats_tickets"]))
