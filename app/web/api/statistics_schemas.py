"""JSON shapes of /api/v1/statistics: figures, breakdowns and drill-down tickets."""

from dataclasses import asdict
from datetime import date, datetime

from pydantic import BaseModel, Field

from app.stats.figures import BreakdownRow, Dimension
from app.stats.formulas import FORMULA_TEXT, Formula
from app.stats.measures import MEASURE_LABELS, RATE_LABELS, Measure, Rate, RateName, TicketFigures
from app.stats.periods import Period
from app.stats.scope import StatsScope
from app.stats.supervision import ListCoverage, SupervisionFigures
from app.ticket.labels import STATUS_LABELS
from app.ticket.models import TicketKind, TicketStatus


class PeriodOut(BaseModel):
    kind: str = Field(examples=["month"])
    start: date = Field(description="起始日（含，北京时间）")
    end: date = Field(description="截止日（含，北京时间）")
    label: str = Field(examples=["2026年11月"])
    query: dict[str, str] = Field(examples=[{"period": "month", "value": "2026-11"}])

    @classmethod
    def of(cls, period: Period) -> "PeriodOut":
        return cls(
            kind=period.kind,
            start=period.start,
            end=period.end,
            label=period.label,
            query=period.query(),
        )


class ScopeOut(BaseModel):
    label: str = Field(examples=["跃龙街道"])
    unit: str | None = Field(description="单位代码（含下级单位）", examples=["330226001000"])
    team_id: int | None
    category_id: int | None
    kind: TicketKind | None
    team_restricted: bool = Field(description="仅含本人所在监督单位的工单")
    query: dict[str, str]

    @classmethod
    def of(cls, scope: StatsScope) -> "ScopeOut":
        return cls(
            label=scope.label,
            unit=scope.unit_code or None,
            team_id=scope.team_id,
            category_id=scope.category_id,
            kind=scope.kind,
            team_restricted=scope.allowed_team_ids is not None,
            query=scope.query(),
        )


class FormulaOut(BaseModel):
    satisfied_includes_basically: bool
    resolved_from_rating: bool
    response_counts_rejections: bool
    unrated_counts_as_satisfied: bool
    text: list[str] = Field(description="按当前口径生成的各项指标定义")

    @classmethod
    def of(cls, formula: Formula) -> "FormulaOut":
        return cls(**asdict(formula), text=FORMULA_TEXT(formula))


class RateOut(BaseModel):
    label: str = Field(examples=["满意率"])
    numerator: int = Field(examples=[187])
    denominator: int = Field(examples=[200])
    value: float | None = Field(description="分母为 0 时为 null", examples=[0.935])
    percent: str = Field(examples=["93.5%"])

    @classmethod
    def of(cls, name: RateName, rate: Rate) -> "RateOut":
        return cls(
            label=RATE_LABELS[name],
            numerator=rate.numerator,
            denominator=rate.denominator,
            value=rate.value,
            percent=rate.percent,
        )


def counts_out(figures: TicketFigures) -> dict[Measure, int]:
    return {measure: figures.counts[measure] for measure in Measure}


def rates_out(figures: TicketFigures) -> dict[RateName, RateOut]:
    return {name: RateOut.of(name, rate) for name, rate in figures.rates.items()}


class SupervisionOut(BaseModel):
    notices_issued: int
    notices_accepted: int
    notices_overdue: int
    rectifications_found: int
    rectifications_verified: int
    rectifications_overdue: int
    rectifications_in_progress: int
    inspections: int
    talks: int
    talk_persons: int = Field(description="谈话人次")

    @classmethod
    def of(cls, figures: SupervisionFigures) -> "SupervisionOut":
        return cls(**asdict(figures))


class CoverageOut(BaseModel):
    units: int = Field(description="范围内启用的乡镇（街道）和村（社区）数")
    with_published: int = Field(description="其中已发布职责清单的")
    stale: int = Field(description="职责清单发布已超过一年的")
    rate: RateOut

    @classmethod
    def of(cls, coverage: ListCoverage) -> "CoverageOut":
        return cls(
            units=coverage.units,
            with_published=coverage.with_published,
            stale=coverage.stale,
            rate=RateOut(
                label="清单覆盖率",
                numerator=coverage.rate.numerator,
                denominator=coverage.rate.denominator,
                value=coverage.rate.value,
                percent=coverage.rate.percent,
            ),
        )


class StatisticsOut(BaseModel):
    period: PeriodOut
    scope: ScopeOut
    formula: FormulaOut
    measure_labels: dict[Measure, str] = Field(description="各计数项的中文名称")
    counts: dict[Measure, int]
    rates: dict[RateName, RateOut]
    median_handling_days: float | None = Field(description="办理用时中位数（工作日）")
    supervision: SupervisionOut
    coverage: CoverageOut


def measure_labels() -> dict[Measure, str]:
    return dict(MEASURE_LABELS)


class BreakdownRowOut(BaseModel):
    key: str = Field(examples=["330226001000"])
    label: str = Field(examples=["跃龙街道"])
    counts: dict[Measure, int]
    rates: dict[RateName, RateOut]
    query: dict[str, str] = Field(description="该行的统计周期和范围，用于查询明细")

    @classmethod
    def of(cls, row: BreakdownRow) -> "BreakdownRowOut":
        return cls(
            key=row.key,
            label=row.label,
            counts=counts_out(row.figures),
            rates=rates_out(row.figures),
            query={**row.period.query(), **row.scope.query()},
        )


class BreakdownOut(BaseModel):
    period: PeriodOut
    scope: ScopeOut
    by: Dimension
    by_label: str = Field(examples=["乡镇（街道）"])
    rows: list[BreakdownRowOut]


class StatTicketOut(BaseModel):
    number: str = Field(examples=["TS-20261122-0042"])
    status: TicketStatus
    status_label: str = Field(examples=["办理中"])
    unit: str = Field(description="被反映单位", examples=["五丰社区"])
    created_at: datetime

    @classmethod
    def of(
        cls, number: str, status: TicketStatus, unit: str, created_at: datetime
    ) -> "StatTicketOut":
        return cls(
            number=number,
            status=status,
            status_label=STATUS_LABELS[status],
            unit=unit,
            created_at=created_at,
        )


class StatTicketPageOut(BaseModel):
    period: PeriodOut
    scope: ScopeOut
    measure: Measure
    measure_label: str = Field(examples=["满意数"])
    total: int = Field(description="与统计数相同")
    page: int
    per_page: int
    pages: int
    items: list[StatTicketOut]
