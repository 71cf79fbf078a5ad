"""Inspections with findings, talks readable only by their team, and the yearly figures."""

from datetime import date

import pytest
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.supervision import inspections, ledger
from app.supervision.inspections import Finding
from app.supervision.models import RectificationSource, TalkKind
from app.supervision.policies import can_read_talk
from tests.supervision.factories import MONDAY, principal


def _inspect(session, world, **fields):
    data = {
        "team_id": world.township_team.id,
        "held_on": "2026-11-03",
        "subject": "村级工程项目专项检查",
        "unit_ids": [world.village.id, world.township.id],
        "people": "李四、王五",
        "findings": [
            Finding(world.village.id, "合同未公开", date(2026, 12, 1), "张三", "补充公开"),
            Finding(world.township.id, "台账不全", "2026-12-15"),
        ],
    }
    data.update(fields)
    return inspections.record_inspection(
        session, principal=principal(session, world.member), **data
    )


def test_inspection_findings_become_ledger_entries(session, world):
    inspection, entries = _inspect(session, world)
    assert [e.source for e in entries] == [RectificationSource.INSPECTION] * 2
    assert {e.unit_id for e in entries} == {world.village.id, world.township.id}
    assert [u.id for u in inspections.inspection_units(session, inspection=inspection)] == [
        world.township.id,
        world.village.id,
    ]
    assert ledger.source_label_detail(session, entries[0]).startswith("监督检查 2026-11-03")
    member = principal(session, world.member)
    assert inspections.list_inspections(session, principal=member) == [inspection]
    assert (
        inspections.list_inspections(session, principal=principal(session, world.outsider_member))
        == []
    )
    audit = session.exec(
        select(AuditEvent.action).where(col(AuditEvent.object_type) == "supervision_inspection")
    ).all()
    assert audit == ["inspection.recorded"]


def test_inspection_checks(session, world):
    with pytest.raises(ValidationFailed) as caught:
        _inspect(
            session,
            world,
            subject="",
            held_on="",
            findings=[Finding(world.other_village.id, "x", "2026-12-01")],
        )
    assert set(caught.value.errors) == {"subject", "held_on", "findings"}
    with pytest.raises(PermissionDenied):
        inspections.record_inspection(
            session,
            principal=principal(session, world.editor),
            team_id=world.township_team.id,
            held_on="2026-11-03",
            subject="x",
            unit_ids=[world.village.id],
        )


def test_talks_are_readable_by_their_team_only_not_even_admins(session, world):
    talk = inspections.record_talk(
        session,
        principal=principal(session, world.member),
        team_id=world.township_team.id,
        kind=TalkKind.INTEGRITY,
        held_on="2026-11-04",
        interviewees="村支书 赵六\n村主任 钱七",
        summary="提醒廉洁履职",
    )
    assert talk.person_count == 2
    assert inspections.get_talk(session, principal=principal(session, world.lead), talk_id=talk.id)
    for outsider in (world.admin, world.outsider_member, world.editor):
        who = principal(session, outsider)
        assert not can_read_talk(who, talk)
        with pytest.raises(NotFound):
            inspections.get_talk(session, principal=who, talk_id=talk.id)
        assert inspections.list_talks(session, principal=who) == []
    event = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "talk.recorded")).one()
    # The audit log is admin-readable, so it must not carry names or contents.
    assert "赵六" not in str(event.data)
    assert "提醒" not in str(event.data)
    with pytest.raises(PermissionDenied):
        inspections.record_talk(
            session,
            principal=principal(session, world.outsider_member),
            team_id=world.township_team.id,
            kind="heart",
            held_on="2026-11-04",
            interviewees="x",
        )


def test_yearly_figures_sentence(session, world):
    with clock.frozen(MONDAY):
        _, entries = _inspect(session, world)
    _inspect(session, world, findings=[])
    member = principal(session, world.member)
    for count in (3, 2):
        inspections.record_talk(
            session,
            principal=member,
            team_id=world.township_team.id,
            kind=TalkKind.HEART,
            held_on="2026-11-05",
            interviewees="x",
            person_count=count,
        )
    editor = principal(session, world.editor)
    ledger.submit_rectification(session, principal=editor, entry_id=entries[0].id, completion="好")
    ledger.verify_rectification(
        session, principal=principal(session, world.lead), entry_id=entries[0].id, note="属实"
    )
    figures = inspections.figures(
        session,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        team_ids=[world.township_team.id],
    )
    assert figures.inspections == 2
    assert figures.talk_persons == 5
    assert figures.problems == 2
    assert figures.rectified == 1
    assert figures.sentence() == "共开展监督检查2次，谈心谈话5人次，发现问题2条，已整改1条"
    assert (
        inspections.figures(
            session, start=date(2026, 1, 1), end=date(2026, 12, 31), team_ids=[world.other_team.id]
        ).inspections
        == 0
    )
