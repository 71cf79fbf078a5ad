"""/api/v1/teams/{id}/notice-prefix: read by the team's staff, set by admins (422 when taken)."""

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.supervision import numbering
from tests.supervision.factories import MONDAY
from tests.web.ticket_helpers import bearer


def _url(team) -> str:
    return f"/api/v1/teams/{team.id}/notice-prefix"


def test_team_staff_read_their_prefix_and_other_teams_are_404(client, session, world):
    session.commit()  # an error response rolls back the request; keep the test's data
    with clock.frozen(MONDAY):
        own = client.get(_url(world.township_team), headers=bearer(world.lead))
        other = client.get(_url(world.other_team), headers=bearer(world.lead))

    assert own.status_code == 200
    assert own.json() == {"prefix": "甲纪督", "year": 2026, "next_number": "甲纪督〔2026〕1号"}
    assert other.status_code == 404


def test_admin_sets_a_prefix_and_it_is_audited(client, session, world):
    with clock.frozen(MONDAY):
        response = client.put(
            _url(world.township_team), json={"prefix": "甲纪工督"}, headers=bearer(world.admin)
        )

    assert response.status_code == 200
    assert response.json()["next_number"] == "甲纪工督〔2026〕1号"
    (event,) = session.exec(
        select(AuditEvent).where(col(AuditEvent.action) == "supervision.prefix_changed")
    ).all()
    assert event.data == {"year": 2026, "prefix": {"from": "甲纪督", "to": "甲纪工督"}}


def test_a_taken_prefix_is_422_and_a_lead_may_not_set_one(client, session, world):
    session.commit()  # an error response rolls back the request; keep the test's data
    with clock.frozen(MONDAY):
        taken = client.put(
            _url(world.other_team), json={"prefix": "甲纪督"}, headers=bearer(world.admin)
        )
        lead = client.put(
            _url(world.township_team), json={"prefix": "甲纪工督"}, headers=bearer(world.lead)
        )

    assert taken.status_code == 422
    assert taken.json()["errors"] == {"prefix": "文号前缀“甲纪督”已由 甲镇纪委 使用"}
    assert lead.status_code == 403
    with clock.frozen(MONDAY):
        assert numbering.current_prefix(session, team_id=world.township_team.id) == "甲纪督"
