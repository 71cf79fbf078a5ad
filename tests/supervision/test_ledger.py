"""Rectification ledger: sources, progress, verification (销号), overdue, filters, .xlsx export."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.supervision import ledger, ledger_export
from app.supervision.ledger import LedgerFilter
from app.supervision.models import Rectification, RectificationSource, RectificationStatus
from tests.supervision.factories import MONDAY, issued, principal
from tests.ticket.factories import pdf_bytes


def _entry(session, world, **fields):
    data = {
        "team_id": world.township_team.id,
        "unit_id": world.village.id,
        "problem": "村务公开栏未更新",
        "deadline": date(2026, 11, 20),
        "responsible_person": "张三",
        "measures": "每月更新",
    }
    data.update(fields)
    return ledger.create_rectification(session, principal=principal(session, world.member), **data)


def test_manual_entry_progress_submit_verify_with_audit(session, world):
    entry = _entry(session, world)
    assert entry.status is RectificationStatus.IN_PROGRESS
    editor = principal(session, world.editor)
    ledger.add_progress(
        session,
        principal=editor,
        entry_id=entry.id,
        body="已制定方案",
        files=[("方案.pdf", pdf_bytes())],
    )
    assert [f.original_name for f in ledger.entry_files(session, entry=entry)] == ["方案.pdf"]
    ledger.submit_rectification(session, principal=editor, entry_id=entry.id, completion="已更新")
    assert entry.status is RectificationStatus.SUBMITTED
    with pytest.raises(PermissionDenied):
        ledger.verify_rectification(session, principal=editor, entry_id=entry.id, note="自己销号")
    lead = principal(session, world.lead)
    ledger.reject_rectification(session, principal=lead, entry_id=entry.id, reason="缺少照片")
    assert entry.status is RectificationStatus.IN_PROGRESS
    ledger.submit_rectification(session, principal=editor, entry_id=entry.id, completion="补照片")
    ledger.verify_rectification(session, principal=lead, entry_id=entry.id, note="经核查属实")
    assert entry.status is RectificationStatus.VERIFIED
    with pytest.raises(InvalidTransition):
        ledger.add_progress(session, principal=editor, entry_id=entry.id, body="再报")
    actions = session.exec(
        select(AuditEvent.action)
        .where(col(AuditEvent.object_type) == "supervision_rectification")
        .order_by(col(AuditEvent.id))
    ).all()
    assert actions == [
        "rectification.created",
        "rectification.progressed",
        "rectification.submitted",
        "rectification.rejected",
        "rectification.submitted",
        "rectification.verified",
    ]


def test_validation_and_scope(session, world):
    with pytest.raises(ValidationFailed) as caught:
        _entry(session, world, problem="", deadline="not a date")
    assert set(caught.value.errors) == {"problem", "deadline"}
    with pytest.raises(PermissionDenied):
        ledger.create_rectification(
            session,
            principal=principal(session, world.outsider_member),
            team_id=world.township_team.id,
            unit_id=world.village.id,
            problem="x",
            deadline=date(2026, 12, 1),
        )
    entry = _entry(session, world)
    for outsider in (world.other_editor, world.outsider_member):
        with pytest.raises(NotFound):
            ledger.get_rectification(
                session, principal=principal(session, outsider), entry_id=entry.id
            )
    assert (
        ledger.list_rectifications(session, principal=principal(session, world.other_editor)) == []
    )


def test_entries_from_ticket_and_notice_take_their_team_unit_and_dates(session, world):
    from tests.ticket import factories as tf

    ticket = tf.submit(session, world).ticket
    member = principal(session, world.member)
    from_ticket = ledger.create_from_ticket(
        session, principal=member, ticket_id=ticket.id, problem="办事拖延", deadline="2026-12-01"
    )
    assert (from_ticket.source, from_ticket.unit_id) == (RectificationSource.TICKET, ticket.unit_id)
    with clock.frozen(MONDAY):
        notice = issued(session, world)
    from_notice = ledger.create_from_notice(session, principal=member, notice_id=notice.id)
    assert from_notice.source is RectificationSource.NOTICE
    assert from_notice.problem == notice.problems
    assert from_notice.deadline == date(2026, 11, 9)
    assert ledger.source_label_detail(session, from_notice) == f"督办通知 {notice.number}"
    assert ledger.source_label_detail(session, from_ticket) == f"投诉举报 {ticket.number}"


def test_overdue_is_computed_filtered_and_counted(session, world):
    late = _entry(session, world, deadline=date(2026, 11, 10))
    _entry(session, world, deadline=date(2026, 11, 30))
    _entry(session, world, unit_id=world.township.id, source=RectificationSource.AUDIT)
    today = date(2026, 11, 11)
    assert ledger.effective_status(late, today=today) is RectificationStatus.OVERDUE
    assert (
        ledger.effective_status(late, today=date(2026, 11, 10)) is RectificationStatus.IN_PROGRESS
    )
    member = principal(session, world.member)
    overdue = ledger.list_rectifications(
        session,
        principal=member,
        filters=LedgerFilter(status=RectificationStatus.OVERDUE),
        today=today,
    )
    assert overdue == [late]
    in_progress = ledger.list_rectifications(
        session,
        principal=member,
        filters=LedgerFilter(status=RectificationStatus.IN_PROGRESS),
        today=today,
    )
    assert late not in in_progress
    assert len(in_progress) == 2
    by_status = ledger.count_rectifications(session, principal=member, by="status", today=today)
    assert by_status == {RectificationStatus.OVERDUE: 1, RectificationStatus.IN_PROGRESS: 2}
    by_unit = ledger.count_rectifications(session, principal=member, by="unit", today=today)
    assert by_unit == {world.village.id: 2, world.township.id: 1}
    by_source = ledger.count_rectifications(
        session,
        principal=member,
        by="source",
        filters=LedgerFilter(source=RectificationSource.AUDIT),
    )
    assert by_source == {RectificationSource.AUDIT: 1}
    # The village's editor sees only the village's entries.
    editor_counts = ledger.count_rectifications(
        session, principal=principal(session, world.editor), by="unit", today=today
    )
    assert editor_counts == {world.village.id: 2}


def test_xlsx_export_has_the_usual_columns_and_one_row_per_entry(session, world):
    with clock.frozen(MONDAY):
        entry = _entry(session, world)
        ledger.add_progress(
            session,
            principal=principal(session, world.editor),
            entry_id=entry.id,
            body="已召开会议",
        )
    data = ledger_export.ledger_xlsx(session, [entry], today=date(2026, 11, 11))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "整改台账"
    header = [cell.value for cell in sheet[2]]
    assert header == [
        "序号",
        "问题来源",
        "问题描述",
        "责任单位",
        "责任人",
        "整改措施",
        "整改时限",
        "整改进展",
        "完成情况",
        "销号情况",
    ]
    row = [cell.value for cell in sheet[3]]
    assert row[0] == 1
    assert row[1] == "其他"
    assert row[2] == "村务公开栏未更新"
    assert row[3] == world.village.name
    assert row[4] == "张三"
    assert row[6].date() == date(2026, 11, 20)
    assert row[7] == "2026-11-02 已召开会议"
    assert row[8] == "整改中"
    assert row[9] == "未销号"


def _statements_for_export(session, engine, entries) -> int:
    seen: list[str] = []

    def remember(_conn, _cursor, sql: str, *_args) -> None:
        seen.append(sql)

    session.expire_all()  # as a fresh request finds them: read by one query, nothing around them
    ids = [entry.id for entry in entries]
    entries = session.exec(select(Rectification).where(col(Rectification.id).in_(ids))).all()
    event.listen(engine, "before_cursor_execute", remember)
    try:
        ledger_export.ledger_xlsx(session, entries, today=date(2026, 11, 11))
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return len(seen)


def test_the_export_reads_notes_and_sources_for_all_rows_at_once(session, world, engine):
    with clock.frozen(MONDAY):
        notice = issued(session, world)
        member = principal(session, world.member)
        editor = principal(session, world.editor)
        entries = []
        for number in range(6):
            entry = ledger.create_from_notice(
                session, principal=member, notice_id=notice.id, problem=f"问题{number}"
            )
            ledger.add_progress(session, principal=editor, entry_id=entry.id, body=f"进展{number}")
            entries.append(entry)

    data = ledger_export.ledger_xlsx(session, entries, today=date(2026, 11, 11))
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=3, values_only=True))
    assert [row[1] for row in rows] == [f"督办通知 {notice.number}"] * 6
    assert [row[7] for row in rows] == [f"2026-11-02 进展{n}" for n in range(6)]
    # Six rows cost no more queries than two.
    assert _statements_for_export(session, engine, entries) == _statements_for_export(
        session, engine, entries[:2]
    )
