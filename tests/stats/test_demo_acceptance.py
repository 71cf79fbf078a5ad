"""Issue acceptance on the 宁海 demo: a township's figures on the statistics page equal a count
done by hand through the tickets API, and each figure drills down to exactly those tickets."""

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, select

from app import demo
from app.account import security
from app.account.models import User
from app.core import clock
from app.stats.measures import Measure
from app.ticket.models import OPEN_STATUSES, TicketStatus
from app.web import sessions
from tests.html import one, parse, text

YUELONG = "330226001000"  # 跃龙街道
LOCAL = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def seeded(session, monkeypatch):
    # The demo hashes every account's password; cheap Argon2 parameters keep this quick.
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    demo.seed(session, only_if_empty=False)
    session.flush()
    return session


def bearer(user: User) -> dict[str, str]:
    token, _ = sessions.issue_api_token(user)
    return {"Authorization": f"Bearer {token}"}


def hand_count(client, lead: User) -> dict[str, set[str]]:
    """Page through the lead's tickets about 跃龙街道 and below, received this (local) year:
    their numbers by status."""
    year = clock.today_local().year
    statuses: dict[str, set[str]] = defaultdict(set)
    page = 1
    while True:
        response = client.get(
            "/api/v1/tickets",
            params={"unit": YUELONG, "page": page, "per_page": 200, "audience": "team"},
            headers=bearer(lead),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        for row in body["items"]:
            if datetime.fromisoformat(row["created_at"]).astimezone(LOCAL).year == year:
                statuses[row["status"]].add(row["number"])
        if page >= body["pages"]:
            return statuses
        page += 1


def page_count(page, measure: Measure) -> int:
    return int(text(one(page, f"#count-{measure.value} .stat-value")))


def test_township_figures_equal_a_hand_count_through_the_api(seeded, client, login_as):
    lead = seeded.exec(select(User).where(col(User.username) == "lead.yuelong")).one()
    statuses = hand_count(client, lead)
    every = set().union(*statuses.values())
    assert len(every) > 20, "the demo should give 跃龙街道 a year of tickets"

    page = parse(login_as(lead).get("/staff/stats", params={"unit": YUELONG}))
    expected = {
        Measure.RECEIVED: every,
        Measure.REJECTED: statuses[TicketStatus.REJECTED.value],
        Measure.MERGED: statuses[TicketStatus.MERGED.value],
        Measure.CLOSED: statuses[TicketStatus.CLOSED.value],
        Measure.OPEN: set().union(*(statuses[status.value] for status in OPEN_STATUSES)),
    }
    for measure, numbers in expected.items():
        assert page_count(page, measure) == len(numbers), measure

    # The statistics API agrees with the page, and its drill-down lists exactly those tickets.
    api = client.get("/api/v1/statistics", params={"unit": YUELONG}, headers=bearer(lead))
    assert api.status_code == 200
    assert api.json()["counts"][Measure.RECEIVED.value] == len(every)
    for measure in (Measure.RECEIVED, Measure.OPEN, Measure.REJECTED):
        listed: list[str] = []
        number = 1
        while True:
            response = client.get(
                "/api/v1/statistics/tickets",
                params={"unit": YUELONG, "measure": measure.value, "page": number},
                headers=bearer(lead),
            )
            assert response.status_code == 200, response.text
            body = response.json()
            listed += [row["number"] for row in body["items"]]
            if number >= body["pages"]:
                break
            number += 1
        assert len(listed) == len(set(listed))
        assert set(listed) == expected[measure], measure
