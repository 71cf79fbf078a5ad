"""Ledger additions for the pages: 公开说明 on 销号, unit-subtree and date filters, counts in
one GROUP BY, pages, evidence by entry; findings checked before an inspection is written."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.core import clock
from app.core.errors import NotFound, ValidationFailed
from app.supervision import inspections, ledger
from app.supervision.inspections import Finding
from app.supervision.ledger import LedgerFilter
from app.supervision.models import (
    Inspection,
    Rectification,
    RectificationSource,
    RectificationStatus,
    TalkKind,
)
from tests.supervision.factories import MONDAY, principal
from tests.ticket.factories import pdf_bytes

TODAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(MONDAY):
        yield


def _entry(session, world, **fields):
    data = {
        "team_id": world.township_team.id,
        "unit_id": world.village.id,
        "problem": "问题",
        "deadline": TODAY + timedelta(days=5),
    }
    data.update(fields)
    return ledger.create_rectification(session, principal=principal(session, world.member), **data)


def test_verify_stores_the_public_summary_and_checks_its_length(session, world):
    entry = _entry(session, world)
    editor, lead = principal(session, world.editor), principal(session, world.lead)
    ledger.submit_rectification(session, principal=editor, entry_id=entry.id, completion="完成")
    with pytest.raises(ValidationFailed) as caught:
        ledger.verify_rectification(
            session, principal=lead, entry_id=entry.id, note="好", public_summary="长" * 1001
        )
    assert set(caught.value.errors) == {"public_summary"}
    assert entry.status is RectificationStatus.SUBMITTED
    ledger.verify_rectification(
        session, principal=lead, entry_id=entry.id, note="好", public_summary=" 公开栏已更新。 "
    )
    assert entry.public_summary == "公开栏已更新。"


def test_unit_subtree_and_creation_date_filters(session, world):
    member = principal(session, world.member)
    _entry(session, world, problem="村")
    _entry(session, world, problem="镇", unit_id=world.township.id)
    with clock.frozen(MONDAY - timedelta(days=10)):
        _entry(session, world, problem="早")

    def problems(**fields):
        found = ledger.list_rectifications(
            session, principal=member, filters=LedgerFilter(**fields)
        )
        return sorted(e.problem for e in found)

    assert problems(unit_id=world.township.id) == ["镇"]
    assert problems(unit_id=world.township.id, include_descendants=True) == ["早", "村", "镇"]
    assert problems(created_from=TODAY - timedelta(days=1)) == ["村", "镇"]
    assert problems(created_to=TODAY - timedelta(days=1)) == ["早"]


def test_counts_ignore_their_own_filter_on_request_and_pages(session, world):
    member = principal(session, world.member)
    _entry(session, world, deadline=TODAY - timedelta(days=1))
    _entry(session, world, source=RectificationSource.AUDIT)
    _entry(session, world, source=RectificationSource.AUDIT)
    only_audit = LedgerFilter(source=RectificationSource.AUDIT)
    assert ledger.count_rectifications(
        session, principal=member, by="source", filters=only_audit
    ) == {RectificationSource.AUDIT: 2}
    assert ledger.count_rectifications(
        session, principal=member, by="source", filters=only_audit, ignore_own_filter=True
    ) == {RectificationSource.AUDIT: 2, RectificationSource.MANUAL: 1}
    overdue = LedgerFilter(status=RectificationStatus.OVERDUE)
    assert ledger.count_rectifications(
        session, principal=member, by="status", filters=overdue, ignore_own_filter=True
    ) == {RectificationStatus.OVERDUE: 1, RectificationStatus.IN_PROGRESS: 2}
    page = ledger.search_rectifications(session, principal=member, page=2, per_page=2)
    assert (page.total, len(page.items), page.pages) == (3, 1, 2)


def test_evidence_is_read_through_its_entry(session, world):
    entry = _entry(session, world)
    other = _entry(session, world)
    ledger.add_progress(
        session,
        principal=principal(session, world.editor),
        entry_id=entry.id,
        body="照片",
        files=[("a.pdf", pdf_bytes())],
    )
    file = ledger.entry_files(session, entry=entry)[0]
    _entry_, row, data = ledger.get_file(
        session, principal=principal(session, world.member), entry_id=entry.id, file_id=file.id
    )
    assert data.startswith(b"%PDF")
    assert row.id == file.id
    with pytest.raises(NotFound):
        ledger.get_file(
            session, principal=principal(session, world.member), entry_id=other.id, file_id=file.id
        )
    with pytest.raises(NotFound):
        ledger.get_file(
            session,
            principal=principal(session, world.other_editor),
            entry_id=entry.id,
            file_id=file.id,
        )


def test_an_inspection_with_a_bad_finding_writes_nothing(session, world):
    with pytest.raises(ValidationFailed) as caught:
        inspections.record_inspection(
            session,
            principal=principal(session, world.member),
            team_id=world.township_team.id,
            held_on=TODAY,
            subject="检查",
            unit_ids=[world.village.id],
            findings=[
                Finding(world.village.id, "好的问题", TODAY),
                Finding(world.village.id, "", "不是日期"),
            ],
        )
    assert set(caught.value.errors) == {"findings-2-problem", "findings-2-deadline"}
    assert session.exec(select(Inspection)).all() == []
    assert session.exec(select(Rectification)).all() == []


def test_search_talks_counts_persons_of_visible_talks_only(session, world):
    for team, member, people in (
        (world.township_team, world.member, "甲\n乙"),
        (world.other_team, world.outsider_member, "丙"),
    ):
        inspections.record_talk(
            session,
            principal=principal(session, member),
            team_id=team.id,
            kind=TalkKind.HEART,
            held_on=TODAY,
            interviewees=people,
        )
    page, persons = inspections.search_talks(session, principal=principal(session, world.member))
    assert (page.total, persons) == (1, 2)
    page, persons = inspections.search_talks(session, principal=principal(session, world.admin))
    assert (page.total, persons) == (0, 0)
