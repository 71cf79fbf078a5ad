"""GET /stats — the county's (or a township's) public figures for a year, quarter or month,
every township (or village) in a table, and the timeline of 已销号 rectifications."""

import re
from dataclasses import asdict, dataclass
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.core import clock
from app.core.errors import ValidationFailed
from app.stats import public as public_stats
from app.stats.formulas import formula_text, get_formula
from app.stats.periods import QUARTER_NAMES, Period
from app.unit import service as unit_service
from app.unit.models import Unit
from app.web.caching import PAGE_CACHE, conditional, page_etag
from app.web.deps import PublicRoute, SessionDep
from app.web.htmx import render

router = APIRouter()

# How many years back the period picker offers.
PICKER_YEARS = 5
TIMELINE_PER_PAGE = 20


@dataclass(frozen=True)
class PeriodOption:
    value: str
    label: str


@dataclass(frozen=True)
class PeriodGroup:
    label: str
    options: list[PeriodOption]


def period_choices(today: date) -> list[PeriodGroup]:
    """Years, then their quarters and months, newest year first; nothing that has not begun."""
    groups = []
    for year in range(today.year, today.year - PICKER_YEARS, -1):
        options = [PeriodOption(str(year), f"{year}年全年")]
        for quarter in range(1, 5):
            if date(year, 3 * quarter - 2, 1) <= today:
                options.append(
                    PeriodOption(
                        f"{year}-Q{quarter}", f"{year}年第{QUARTER_NAMES[quarter - 1]}季度"
                    )
                )
        for month in range(1, 13):
            if date(year, month, 1) <= today:
                options.append(PeriodOption(f"{year}-{month:02d}", f"{year}年{month}月"))
        groups.append(PeriodGroup(f"{year}年", options))
    return groups


def _kind_of(value: str) -> str:
    """The picker sends only `value`; links made with Period.query() also send `period`."""
    text = value.strip()
    if re.fullmatch(r"\d{4}", text):
        return "year"
    if re.fullmatch(r"\d{4}-?[Qq]\d", text):
        return "quarter"
    return "month"


def public_period(*, period: str, value: str, today: date) -> Period:
    """A year, quarter or month that has begun (default: this year)."""
    kind = period.strip().lower() or (_kind_of(value) if value.strip() else "")
    if kind == "custom":
        raise ValidationFailed({"period": "公开统计按年度、季度或月份查看"})
    chosen = Period.parse(period=kind, value=value, today=today)
    if chosen.start > today:
        raise ValidationFailed({"period": "所选统计期尚未开始"})
    if chosen.start.year <= today.year - PICKER_YEARS:
        raise ValidationFailed({"period": f"公开统计可查看最近 {PICKER_YEARS} 年"})
    return chosen


def _township(session: Session, county: Unit, code: str) -> Unit:
    """A township (subdistrict) of the county by code; 404 for anything else."""
    unit = unit_service.get_unit_by_code(session, code=code.strip())
    if not any(t.id == unit.id for t in public_stats.townships_of(session, county)):
        unit_service.raise_not_found()
    return unit


def rate_definitions(lines: list[str]) -> dict[str, str]:
    """The formula sentences that define 响应率, 解决率 and 满意率, by rate label."""
    return {
        rate: next((line for line in lines if line.startswith(f"{rate} =")), "")
        for rate in ("响应率", "解决率", "满意率")
    }


@router.get("/stats", name="public.stats", dependencies=[PublicRoute])
def stats_page(
    request: Request,
    session: SessionDep,
    township: str = "",
    period: str = "",
    value: str = "",
    page: int = 1,
) -> Response:
    """The full page; for htmx (the period picker, the timeline pager) only block stats_body.

    Figures are counted first (a few GROUP BY queries); the ETag is made of what the page shows
    of them, so a revalidation skips only the rendering but can never answer with old figures.
    """
    today = clock.today_local()
    error = ""
    status = 200
    try:
        chosen = public_period(period=period, value=value, today=today)
    except ValidationFailed as exc:
        error = exc.errors.get("period", exc.message)
        status = 422
        chosen = Period.current_year(today)
    county = unit_service.get_home_county(session)
    selected = _township(session, county, township) if county and township.strip() else None
    formula = get_formula(session)
    now = clock.now()
    table = None
    if county is not None:
        table = public_stats.county_table(
            session, county=county, period=chosen, formula=formula, now=now
        )
        if selected is not None:
            table = public_stats.township_table(
                session,
                county=county,
                township=selected,
                period=chosen,
                formula=formula,
                now=now,
                county_figures=table,
            )
    timeline = public_stats.verified_timeline(
        session,
        period=chosen,
        unit=selected or county,
        page=page,
        per_page=TIMELINE_PER_PAGE,
    )
    lines = formula_text(formula)
    here = selected.code if selected else ""

    def stats_url(*, township_code: str = "", page: int = 1) -> str:
        """This page for another township (or the county, ""), same period."""
        query = {"township": township_code} if township_code else {}
        query.update(chosen.query())
        if page > 1:
            query["page"] = str(page)
        return f"{request.url_for('public.stats').path}?{urlencode(query)}"

    def timeline_url(number: int) -> str:
        return stats_url(township_code=here, page=number)

    etag = page_etag(
        request,
        "stats",
        asdict(table) if table else None,
        asdict(timeline),
        lines,
        error,
        today.isoformat(),  # the picker offers a new month as it begins
    )

    definitions = rate_definitions(lines)

    def build() -> Response:
        context = {
            "county": county,
            "township": selected,
            "table": table,
            "period": chosen,
            "choices": period_choices(today),
            "error": error,
            "definitions": definitions,
            # The card under each rate shows the formula itself; the notes below, the details.
            "one_liners": {k: v.split("。")[0] for k, v in definitions.items()},
            "timeline": timeline,
            "timeline_url": timeline_url,
            "stats_url": stats_url,
            "small_count": public_stats.SMALL_COUNT,
        }
        return render(
            request, "public/stats/index.html", context, blocks=["stats_body"], status_code=status
        )

    return conditional(request, etag=etag, cache_control=PAGE_CACHE, build=build)
