"""The period report: a .docx work-summary draft (工作总结素材) filled with the period's figures.

Sentences are written the way an office words them in its 工作总结, so they can be pasted as
they are; a clause whose figure is zero (or a rate with nothing to divide) is left out rather
than printed as "0件". Tables follow: by township (or unit), by category, rectification, and
the formula definitions the rates were counted with.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from sqlmodel import Session

from app.core import clock
from app.core.officedoc import (
    HEADING_FONT,
    TITLE_FONT,
    add_paragraph,
    official_document,
    set_font,
)
from app.stats.figures import BreakdownRow, Dimension, breakdown, ticket_figures
from app.stats.formulas import FORMULA_TEXT, Formula, get_formula
from app.stats.measures import Measure, RateName, TicketFigures
from app.stats.periods import Period
from app.stats.scope import StatsScope
from app.stats.supervision import (
    ListCoverage,
    SupervisionFigures,
    list_coverage,
    supervision_figures,
)
from app.supervision.documents import chinese_date
from app.ticket.models import TicketKind
from app.unit.models import Unit, UnitKind

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_TABLE_FONT = "宋体"
_NUMERALS = "一二三四五六七八九十"
# Above township level a report is broken down by township; below, by unit.
_COUNTY_LEVEL = frozenset({UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY})

UNIT_TABLE_HEADERS = ("单位", "收件", "已办结", "按期办结率", "响应率", "解决率", "满意率")
CATEGORY_TABLE_HEADERS = ("类别", "收件", "占比", "已办结", "满意率")
RECTIFICATION_TABLE_HEADERS = ("项目", "数量")


def title(scope: StatsScope, period: Period) -> str:
    return f"{scope.label}{period.label}小微权力监督工作情况"


def filename(scope: StatsScope, period: Period) -> str:
    return f"{scope.label}{period.label}监督工作报告.docx"


@dataclass(frozen=True)
class ReportData:
    """Everything the report prints, computed once (the CLI prints the headline from it too)."""

    scope: StatsScope
    period: Period
    formula: Formula
    figures: TicketFigures
    by_kind: dict[str, int]
    by_unit: list[BreakdownRow]
    unit_dimension: Dimension
    by_category: list[BreakdownRow]
    supervision: SupervisionFigures
    coverage: ListCoverage
    today: date


def collect(
    session: Session,
    scope: StatsScope,
    period: Period,
    *,
    formula: Formula | None = None,
    today: date | None = None,
) -> ReportData:
    formula = formula or get_formula(session)
    today = today or clock.today_local()
    # One `now` for every figure, so they share one grouped aggregate (app.stats.cache).
    now = clock.now()
    dimension = _unit_dimension(session, scope)
    kinds = breakdown(session, scope, period, Dimension.KIND, formula=formula, now=now)
    return ReportData(
        scope=scope,
        period=period,
        formula=formula,
        figures=ticket_figures(session, scope, period, formula=formula, now=now),
        by_kind={row.key: row.figures.counts[Measure.RECEIVED] for row in kinds},
        by_unit=breakdown(session, scope, period, dimension, formula=formula, now=now),
        unit_dimension=dimension,
        by_category=breakdown(session, scope, period, Dimension.CATEGORY, formula=formula, now=now),
        supervision=supervision_figures(session, scope, period, today=today),
        coverage=list_coverage(session, scope, today=today),
        today=today,
    )


def _unit_dimension(session: Session, scope: StatsScope) -> Dimension:
    """County-wide: by township. A township, village or office, or one team's tickets: by unit."""
    unit = session.get(Unit, scope.unit_id) if scope.unit_id is not None else None
    if unit is not None:
        return Dimension.TOWNSHIP if unit.kind in _COUNTY_LEVEL else Dimension.UNIT
    if scope.team_id is not None or scope.allowed_team_ids is not None:
        return Dimension.UNIT
    return Dimension.TOWNSHIP


# --- Sentences ----------------------------------------------------------------------------------


def _clauses(parts: Sequence[tuple[str, int]], unit: str) -> list[str]:
    return [f"{label}{count}{unit}" for label, count in parts if count]


def ticket_sentence(data: ReportData) -> str:
    """ "2026年，共受理群众投诉举报X件，其中检举控告X件、投诉X件、意见建议X件，已办结X件，按期
    办结率X%；响应率X%、解决率X%、满意率X%。" — zero clauses and empty rates left out."""
    counts, rates = data.figures.counts, data.figures.rates
    received = counts[Measure.RECEIVED]
    if not received:
        return f"{data.period.label}，未收到群众投诉举报。"
    first = [f"{data.period.label}，共受理群众投诉举报{received}件"]
    kinds = _clauses(
        [
            ("检举控告", data.by_kind.get(TicketKind.REPORT.value, 0)),
            ("投诉", data.by_kind.get(TicketKind.COMPLAINT.value, 0)),
            ("意见建议", data.by_kind.get(TicketKind.SUGGESTION.value, 0)),
        ],
        "件",
    )
    if kinds:
        first.append("其中" + "、".join(kinds))
    if counts[Measure.CLOSED]:
        first.append(f"已办结{counts[Measure.CLOSED]}件")
    on_time = rates[RateName.ON_TIME]
    if on_time.value is not None:
        first.append(f"按期办结率{on_time.percent}")
    three = [
        f"{label}{rates[name].percent}"
        for label, name in (
            ("响应率", RateName.RESPONSE),
            ("解决率", RateName.RESOLUTION),
            ("满意率", RateName.SATISFACTION),
        )
        if rates[name].value is not None
    ]
    sentence = "，".join(first)
    return sentence + ("；" + "、".join(three) if three else "") + "。"


def handling_sentence(data: ReportData) -> str:
    """Rejections, merges, returns, reopenings, median handling time and what is still open."""
    counts = data.figures.counts
    parts = _clauses(
        [
            ("不予受理", counts[Measure.REJECTED]),
            ("合并重复件", counts[Measure.MERGED]),
            ("转承办单位办理", counts[Measure.FORWARDED]),
            ("被承办单位退回", counts[Measure.RETURNED]),
            ("因群众不满意重新办理", counts[Measure.REOPENED]),
        ],
        "件",
    )
    median = data.figures.median_handling_days
    if median is not None:
        parts.append(f"办理用时中位数为{_number(median)}个工作日")
    open_now = counts[Measure.OPEN]
    if open_now:
        overdue = counts[Measure.OVERDUE_OPEN]
        parts.append(f"尚在办理{open_now}件" + (f"，其中超期{overdue}件" if overdue else ""))
    return "，".join(parts) + "。" if parts else ""


def supervision_sentence(data: ReportData) -> str:
    """ "共开展监督检查X次，谈心谈话X人次，发出督办通知书X份，发现问题X条，已整改销号X条，整改中
    X条。" — zero clauses left out."""
    s = data.supervision
    parts = [
        *_clauses([("开展监督检查", s.inspections)], "次"),
        *_clauses([("谈心谈话", s.talk_persons)], "人次"),
        *_clauses([("发出督办通知书", s.notices_issued)], "份"),
        *_clauses(
            [
                ("发现问题", s.rectifications_found),
                ("已整改销号", s.rectifications_verified),
                ("整改中", s.rectifications_in_progress),
                ("逾期未整改", s.rectifications_overdue),
            ],
            "条",
        ),
    ]
    return "共" + "，".join(parts) + "。" if parts else ""


def coverage_sentence(data: ReportData) -> str:
    c = data.coverage
    if not c.units:
        return ""
    text = f"应公布小微权力清单的单位{c.units}个，"
    if not c.with_published:
        return text + "均尚未公布清单。"
    text += f"已公布{c.with_published}个，公布率{c.rate.percent}"
    if c.stale:
        text += f"；其中{c.stale}个单位的清单公布已超过一年，需及时更新"
    return text + "。"


def headline(data: ReportData) -> list[str]:
    """The report's sentences, in order, without the empty ones."""
    sentences = [
        ticket_sentence(data),
        handling_sentence(data),
        supervision_sentence(data),
        coverage_sentence(data),
    ]
    return [sentence for sentence in sentences if sentence]


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


# --- The document -------------------------------------------------------------------------------


def period_report_docx(
    session: Session,
    scope: StatsScope,
    period: Period,
    *,
    formula: Formula | None = None,
    today: date | None = None,
) -> bytes:
    """The A4 report for `scope` and `period` as .docx bytes."""
    return render_docx(collect(session, scope, period, formula=formula, today=today))


def render_docx(data: ReportData) -> bytes:
    document = official_document()

    add_paragraph(
        document,
        title(data.scope, data.period),
        font=TITLE_FONT,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    start, end = data.period.start, data.period.end
    add_paragraph(
        document,
        f"（统计期：{chinese_date(start)}至{chinese_date(end)}；"
        f"{chinese_date(data.today)}根据系统数据生成，供撰写工作总结参考）",
        size=14,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    add_paragraph(document, "", indent=False)

    _heading(document, 0, "总体情况")
    for sentence in headline(data):
        add_paragraph(document, sentence)

    _heading(
        document, 1, "分单位情况" if data.unit_dimension == Dimension.UNIT else "分乡镇（街道）情况"
    )
    unit_rows = [
        row
        for row in data.by_unit
        if data.unit_dimension == Dimension.TOWNSHIP or row.figures.counts[Measure.RECEIVED]
    ]
    _table(
        document,
        UNIT_TABLE_HEADERS,
        [_unit_cells(row.label, row.figures) for row in unit_rows]
        + [_unit_cells("合计", data.figures)],
    )

    _heading(document, 2, "分类别情况")
    received = data.figures.counts[Measure.RECEIVED]
    _table(
        document,
        CATEGORY_TABLE_HEADERS,
        [
            (
                row.label,
                str(row.figures.counts[Measure.RECEIVED]),
                _share(row.figures.counts[Measure.RECEIVED], received),
                str(row.figures.counts[Measure.CLOSED]),
                row.figures.rates[RateName.SATISFACTION].percent,
            )
            for row in data.by_category
            if row.figures.counts[Measure.RECEIVED]
        ],
    )

    _heading(document, 3, "督办与整改情况")
    s = data.supervision
    _table(
        document,
        RECTIFICATION_TABLE_HEADERS,
        [
            ("发出督办通知书（份）", str(s.notices_issued)),
            ("督办通知书已验收（份）", str(s.notices_accepted)),
            ("督办通知书逾期（份）", str(s.notices_overdue)),
            ("发现问题（条）", str(s.rectifications_found)),
            ("已整改销号（条）", str(s.rectifications_verified)),
            ("整改中（条）", str(s.rectifications_in_progress)),
            ("逾期未整改（条）", str(s.rectifications_overdue)),
            ("监督检查（次）", str(s.inspections)),
            ("谈心谈话（次 / 人次）", f"{s.talks} / {s.talk_persons}"),
        ],
    )

    _heading(document, 4, "统计口径")
    for sentence in FORMULA_TEXT(data.formula):
        add_paragraph(document, sentence, size=14)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _unit_cells(label: str, figures: TicketFigures) -> tuple[str, ...]:
    rates = figures.rates
    return (
        label,
        str(figures.counts[Measure.RECEIVED]),
        str(figures.counts[Measure.CLOSED]),
        rates[RateName.ON_TIME].percent,
        rates[RateName.RESPONSE].percent,
        rates[RateName.RESOLUTION].percent,
        rates[RateName.SATISFACTION].percent,
    )


def _share(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def _heading(document: DocxDocument, index: int, text: str) -> None:
    add_paragraph(document, f"{_NUMERALS[index]}、{text}", font=HEADING_FONT)


def _table(document: DocxDocument, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell.paragraphs[0], header, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            _cell(cell.paragraphs[0], value, numeric=index > 0)
    document.add_paragraph()


def _cell(paragraph: Paragraph, text: str, *, bold: bool = False, numeric: bool = False) -> None:
    if numeric or bold:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.font.size = Pt(10.5)  # 五号, the usual size for tables in 公文 attachments
    run.font.bold = bold
    set_font(run, _TABLE_FONT)


__all__ = [
    "CATEGORY_TABLE_HEADERS",
    "DOCX_MEDIA_TYPE",
    "RECTIFICATION_TABLE_HEADERS",
    "UNIT_TABLE_HEADERS",
    "ReportData",
    "collect",
    "filename",
    "headline",
    "period_report_docx",
    "render_docx",
    "title",
]
