"""The period report: a .docx with the right title, sentences and tables on a known data set."""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from docx import Document
from sqlmodel import Session, col, select

from app.account.service import load_principal
from app.core import clock
from app.stats import report
from app.stats.periods import Period
from app.stats.scope import StatsScope, scope_for
from app.ticket.labels import CLOSED_AFTER_REOPEN, CLOSED_RATED, CLOSED_UNRATED
from app.ticket.models import (
    Category,
    Rating,
    Ticket,
    TicketChannel,
    TicketKind,
    TicketStatus,
)
from tests.factories import World
from tests.supervision.factories import issued

JANUARY = Period.month(2026, 1)
# Tickets arrive on 5 January 2026 (a Monday), 10:00 in Ninghai.
ARRIVED = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
_numbers = iter(range(1, 1000))
# A zero count printed as a figure ("0件", "0条" …), which the report must never do.
ZERO = re.compile(r"(?<![\d.])0[件条次份个]")


def day(n: float) -> datetime:
    return ARRIVED + timedelta(days=n)


def category_id(session: Session, code: str) -> int:
    found = session.exec(select(Category.id).where(col(Category.code) == code)).one()
    assert found is not None
    return found


def ticket(session: Session, world: World, code: str, **fields: object) -> Ticket:
    """A ticket as the services would have left it, received on ARRIVED."""
    kind = {"graft": TicketKind.REPORT, "suggestion": TicketKind.SUGGESTION}.get(
        code, TicketKind.COMPLAINT
    )
    values: dict[str, object] = {
        "number": f"TS-20260105-{next(_numbers):04d}",
        "receipt_code_hash": "0" * 64,
        "kind": kind,
        "category_id": category_id(session, code),
        "unit_id": world.village.id,
        "channel": TicketChannel.WEB,
        "team_id": world.township_team.id,
        "content": "反映村里办事拖延的问题。",
        "created_at": ARRIVED,
        "updated_at": ARRIVED,
        "ack_due_at": day(1),
        "acknowledged_at": day(0.5),
        "resolve_started_at": day(0.5),
        "resolve_due_at": day(10),
        "status": TicketStatus.CLOSED,
    }
    values.update(fields)
    item = Ticket(**values)  # type: ignore[arg-type]
    session.add(item)
    session.flush()
    return item


@pytest.fixture
def january(session: Session, world: World) -> StatsScope:
    """Six tickets received in January 2026, with figures worked out by hand:

    received 6 (检举控告 2, 投诉 3, 意见建议 1); closed 4; rated 3, of which 满意 + 基本满意 2 and
    已解决 2 → 满意率 and 解决率 66.7%; responded on time 5 of 5 (the merged one is left out)
    → 100.0%; answered on time 3 of 4 → 按期办结率 75.0%.
    """
    satisfied = ticket(
        session, world, "delay", answered_at=day(3), rating=Rating.SATISFIED, resolved=True,
        rated_at=day(4), closed_at=day(4), closed_reason=CLOSED_RATED, handling_days=3,
    )  # fmt: skip
    ticket(
        session, world, "attitude", answered_at=day(5), rating=Rating.BASICALLY, resolved=True,
        rated_at=day(6), closed_at=day(6), closed_reason=CLOSED_RATED, handling_days=4,
    )  # fmt: skip
    ticket(
        session, world, "illegal_fees", answered_at=day(30), resolve_started_at=day(20),
        resolve_due_at=day(28), rating=Rating.UNSATISFIED, resolved=False, rated_at=day(31),
        reopen_count=1, closed_at=day(31), closed_reason=CLOSED_AFTER_REOPEN, handling_days=7,
    )  # fmt: skip
    ticket(
        session, world, "graft", ack_due_at=day(19), resolve_due_at=day(60),
        answered_at=day(40), closed_at=day(48), closed_reason=CLOSED_UNRATED, handling_days=25,
    )  # fmt: skip
    ticket(
        session, world, "graft", unit_id=world.other_village.id, team_id=world.other_team.id,
        ack_due_at=day(19), status=TicketStatus.REJECTED, closed_at=day(2),
        resolve_started_at=None, resolve_due_at=None,
    )  # fmt: skip
    ticket(
        session, world, "suggestion", status=TicketStatus.MERGED, merged_into_id=satisfied.id,
        closed_at=day(0.5), resolve_started_at=None, resolve_due_at=None,
    )  # fmt: skip
    with clock.frozen(day(10)):
        issued(session, world)
    return scope_for(session, load_principal(session, user=world.admin))


def open_docx(data: bytes):  # type: ignore[no-untyped-def]
    return Document(io.BytesIO(data))


def paragraphs(document) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in document.paragraphs if p.text.strip()]


def table_rows(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_report_opens_with_its_title_and_the_sentences_an_office_pastes(session, january):
    with clock.frozen(NOW):
        data = report.period_report_docx(session, january, JANUARY, today=date(2026, 3, 2))

    texts = paragraphs(open_docx(data))
    assert texts[0] == f"{january.label}2026年1月小微权力监督工作情况"
    assert "2026年3月2日根据系统数据生成" in texts[1]
    assert (
        "2026年1月，共受理群众投诉举报6件，其中检举控告2件、投诉3件、意见建议1件，"
        "已办结4件，按期办结率75.0%；响应率100.0%、解决率66.7%、满意率66.7%。"
    ) in texts
    supervision = next(text for text in texts if text.startswith("共"))
    assert "发出督办通知书1份" in supervision
    assert "监督检查" not in supervision  # none held: the clause is left out, not "0次"
    handling = next(text for text in texts if text.startswith("不予受理"))
    assert handling.startswith("不予受理1件，合并重复件1件，")
    assert "因群众不满意重新办理1件" in handling
    assert not [text for text in texts if ZERO.search(text)]


def test_the_tables_break_the_figures_down_by_township_category_and_rectification(
    session, world, january
):
    with clock.frozen(NOW):
        document = open_docx(report.period_report_docx(session, january, JANUARY))

    by_unit, by_category, rectification = document.tables
    rows = table_rows(by_unit)
    assert tuple(rows[0]) == report.UNIT_TABLE_HEADERS
    received = {row[0]: row[1] for row in rows[1:]}
    assert received == {"甲镇": "5", "乙街道": "1", "合计": "6"}
    rows = table_rows(by_category)
    assert tuple(rows[0]) == report.CATEGORY_TABLE_HEADERS
    assert ["吃拿卡要", "2", "33.3%", "1", "—"] in rows
    rows = table_rows(rectification)
    assert tuple(rows[0]) == report.RECTIFICATION_TABLE_HEADERS
    assert ["发出督办通知书（份）", "1"] in rows
    texts = paragraphs(document)
    assert any(text.startswith("满意率 = 满意件数 ÷ 已评价件数") for text in texts)


def test_a_team_leads_report_lists_its_units(session, world, january):
    lead_scope = scope_for(session, load_principal(session, user=world.lead))
    with clock.frozen(NOW):
        document = open_docx(report.period_report_docx(session, lead_scope, JANUARY))

    rows = table_rows(document.tables[0])
    assert rows[-1][:2] == ["合计", "5"]  # the 乙街道 rejection belongs to another team
    assert [row[0] for row in rows[1:-1]] == ["甲镇"]


def test_an_empty_period_says_so_without_zero_figures(session, world, january):
    with clock.frozen(NOW):
        data = report.period_report_docx(session, january, Period.month(2025, 6))

    texts = paragraphs(open_docx(data))
    assert "2025年6月，未收到群众投诉举报。" in texts
    assert not [text for text in texts if ZERO.search(text)]


def test_the_filename_names_scope_and_period(january):
    assert report.filename(january, JANUARY) == f"{january.label}2026年1月监督工作报告.docx"
