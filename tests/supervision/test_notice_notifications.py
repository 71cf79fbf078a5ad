"""Who is told about a notice through the outbox: the unit when it is issued, the team when the
unit answers, the lead when it is overdue and the parent team when it escalates — and the tick
runs in `xiaowei tick` and in the `serve` runner after the ticket tick."""

import sys
import types
from datetime import timedelta

from sqlmodel import col, select

from app import cli
from app.account.permissions import Role
from app.core import clock
from app.notify.models import OutboxMessage
from app.supervision import notices
from tests.factories import make_user
from tests.supervision.factories import MONDAY, issued, principal
from tests.test_cli import cli_db, xiaowei  # noqa: F401


def inbox(session, user_id: int) -> list[str]:
    return list(
        session.exec(
            select(OutboxMessage.subject)
            .where(col(OutboxMessage.recipient_hint) == f"user:{user_id}")
            .order_by(col(OutboxMessage.id))
        ).all()
    )


def test_issuing_tells_the_units_editors(session, world):
    above = make_user(session, role=Role.UNIT_EDITOR, unit=world.township, include_descendants=True)
    with clock.frozen(MONDAY):
        notice = issued(session, world)

    assert inbox(session, world.editor.id) == [f"督办通知书待签收：{notice.number}"]
    assert inbox(session, above.id) == [f"督办通知书待签收：{notice.number}"]
    assert inbox(session, world.other_editor.id) == []


def test_the_team_is_told_of_each_report(session, world):
    notice = issued(session, world)
    editor, lead = principal(session, world.editor), principal(session, world.lead)
    notices.sign_notice(session, principal=editor, notice_id=notice.id)
    notices.respond_notice(session, principal=editor, notice_id=notice.id, report="已整改")
    notices.return_notice(session, principal=lead, notice_id=notice.id, reason="材料不全")
    notices.respond_notice(session, principal=editor, notice_id=notice.id, report="已补充")

    expected = [f"整改报告待审核：{notice.number}"] * 2
    assert inbox(session, world.member.id) == expected
    assert inbox(session, world.lead.id) == expected
    assert inbox(session, world.outsider_member.id) == []


def test_overdue_tells_the_lead_once_then_the_parent_team(session, world):
    county_lead = make_user(session, role=Role.TEAM_LEAD, team=world.commission)
    with clock.frozen(MONDAY):
        notice = issued(session, world)  # due Monday 9 November, 24:00

    assert notices.tick(session, now=MONDAY + timedelta(days=7, hours=12)).lead_notified == []
    report = notices.tick(session, now=MONDAY + timedelta(days=8))
    assert report.lead_notified == [notice.number]
    assert notice.overdue_level == 1
    assert inbox(session, world.lead.id) == [f"督办超期提醒：{notice.number}"]
    assert inbox(session, world.member.id) == []
    # A second tick the same day tells nobody again.
    notices.tick(session, now=MONDAY + timedelta(days=8, hours=1))
    assert len(inbox(session, world.lead.id)) == 1

    report = notices.tick(session, now=MONDAY + timedelta(days=20))
    assert report.escalated == [notice.number]
    assert notice.overdue_level == 2
    assert inbox(session, county_lead.id) == [f"督办超期提醒：{notice.number}"]
    assert "上级监督单位" in "".join(
        session.exec(
            select(OutboxMessage.body).where(
                col(OutboxMessage.recipient_hint) == f"user:{county_lead.id}"
            )
        ).all()
    )


def test_the_notice_tick_runs_second_in_serve(monkeypatch):
    fake = types.ModuleType("app.ticket.service")
    fake.tick = lambda session, *, now: 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.ticket.service", fake)

    assert [name for name, _ in cli.periodic_jobs()] == [
        "ticket.tick",
        "notice.tick",
        "notify.deliver",
        "stats.tally",
    ]


def test_xiaowei_tick_reports_notices_too(cli_db):  # noqa: F811
    code, output = xiaowei("tick")

    assert code == 0, output
    assert "逾期未评价办结 0 件" in output
    assert "督办通知书超期提醒负责人 0 件" in output
