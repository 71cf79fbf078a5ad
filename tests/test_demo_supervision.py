"""The supervision demo: notices in every status (some overdue, one from an overdue ticket),
ledger entries from every source in every status (逾期 and 已销号 with a public summary),
inspections and both kinds of talk; the county figures are non-zero; a second run adds nothing."""

from datetime import date

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, func, select

from app import demo, demo_supervision
from app.account import security
from app.core import clock
from app.supervision import ledger, notices
from app.supervision.inspections import figures
from app.supervision.models import (
    Inspection,
    NoticeStatus,
    NoticeTicket,
    Rectification,
    RectificationSource,
    RectificationStatus,
    SupervisionNotice,
    Talk,
    TalkKind,
)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_seed_demo_fills_every_supervision_status(session):
    assert demo.seed(session, only_if_empty=True) is True
    now = clock.now()

    notice_rows = session.exec(select(SupervisionNotice)).all()
    assert 10 <= len(notice_rows) <= 15
    assert {n.status for n in notice_rows} == set(NoticeStatus)
    assert len({n.team_id for n in notice_rows}) >= 4
    assert sum(notices.is_overdue(n, now=now) for n in notice_rows) >= 2
    # One was issued in one step from an overdue ticket.
    assert count(session, NoticeTicket) >= 1

    entries = session.exec(select(Rectification)).all()
    assert 35 <= len(entries) <= 50
    today = clock.today_local()
    assert {ledger.effective_status(e, today=today) for e in entries} == set(RectificationStatus)
    assert {e.source for e in entries} == set(RectificationSource)
    verified = [e for e in entries if e.status is RectificationStatus.VERIFIED]
    assert verified
    assert all(e.public_summary for e in verified)
    # Spread over the past ten months or so.
    assert (now - min(e.created_at for e in entries)).days > 270

    assert 8 <= count(session, Inspection) <= 12
    talks = session.exec(select(Talk)).all()
    assert 12 <= len(talks) <= 16
    assert {t.kind for t in talks} == set(TalkKind)
    assert sum(t.person_count for t in talks) > len(talks)

    county = figures(session, start=date(today.year - 1, 1, 1), end=today)
    assert county.inspections > 0
    assert county.talk_persons > 0
    assert county.problems > 0
    assert county.rectified > 0

    # Seeding again (the rest of seed() is get-or-create) adds nothing.
    before = (count(session, SupervisionNotice), count(session, Rectification))
    assert demo_supervision.seed_supervision(session) == {}
    assert demo.seed(session, only_if_empty=False) is True
    assert (count(session, SupervisionNotice), count(session, Rectification)) == before
    assert (
        session.exec(
            select(func.count())
            .select_from(Rectification)
            .where(col(Rectification.ticket_id).is_not(None))
        ).one()
        > 0
    )
