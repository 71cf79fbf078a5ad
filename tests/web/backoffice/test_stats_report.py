"""GET /staff/stats/report.docx: the period report for the team's own scope, nobody else's."""

import io
from urllib.parse import quote

from docx import Document

from app.ticket.labels import CLOSED_RATED
from app.ticket.models import Rating
from tests.stats.test_report import day, ticket

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
JANUARY = "/staff/stats/report.docx?period=month&value=2026-01"


def paragraphs(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in Document(io.BytesIO(response.content)).paragraphs if p.text]


def received(session, world) -> None:  # type: ignore[no-untyped-def]
    ticket(
        session, world, "delay", answered_at=day(3), rating=Rating.SATISFIED, resolved=True,
        rated_at=day(4), closed_at=day(4), closed_reason=CLOSED_RATED, handling_days=3,
    )  # fmt: skip
    ticket(
        session, world, "attitude", unit_id=world.other_village.id, team_id=world.other_team.id,
    )  # fmt: skip


def test_a_lead_downloads_the_report_of_their_own_team(session, world, client, login_as):
    received(session, world)
    login_as(world.lead)
    response = client.get(JANUARY)

    assert response.status_code == 200
    assert response.headers["content-type"] == DOCX
    name = f"{world.township_team.name}2026年1月监督工作报告.docx"
    assert f"filename*=UTF-8''{quote(name)}" in response.headers["content-disposition"]
    texts = paragraphs(response)
    assert texts[0] == f"{world.township_team.name}2026年1月小微权力监督工作情况"
    # Only the team's own ticket: the other township's complaint is not in its figures.
    assert any(text.startswith("2026年1月，共受理群众投诉举报1件，其中投诉1件") for text in texts)


def test_an_admin_chooses_a_custom_period_and_a_unit(session, world, client, login_as):
    received(session, world)
    login_as(world.admin)
    response = client.get(
        "/staff/stats/report.docx?period=custom&from=2026-01-01&to=2026-01-31"
        f"&unit={world.other_township.code}"
    )

    assert response.status_code == 200
    texts = paragraphs(response)
    assert texts[0] == "乙街道2026年1月1日至1月31日小微权力监督工作情况"
    assert any("共受理群众投诉举报1件" in text for text in texts)


def test_another_teams_report_is_not_found(world, client, login_as):
    login_as(world.lead)

    response = client.get(f"{JANUARY}&team={world.other_team.id}")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_a_bad_period_is_refused_with_a_message(world, client, login_as):
    login_as(world.lead)

    response = client.get("/staff/stats/report.docx?period=month&value=2026-13")

    assert response.status_code == 422


def test_a_unit_editor_may_not_download_reports(world, client, login_as):
    login_as(world.editor)

    assert client.get(JANUARY).status_code == 403


def test_signed_out_visitors_are_sent_to_the_login_page(client):
    response = client.get(JANUARY)

    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login")
