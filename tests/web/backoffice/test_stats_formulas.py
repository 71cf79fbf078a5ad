"""/staff/stats/formulas — admins choose how the rates are counted; the sentences and the
figures follow the choice live; saving is audited and changes every figure."""

import pytest
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.stats.figures import ticket_figures
from app.stats.formulas import Formula, get_formula
from app.stats.measures import RateName
from app.stats.periods import Period
from app.stats.scope import StatsScope
from app.ticket.models import Rating
from tests.html import one, parse, text, texts
from tests.stats.factories import NOW, rated
from tests.web.ticket_helpers import HTMX, fragment_root, post_form

URL = "/staff/stats/formulas"
ALL_ON = {
    "satisfied_includes_basically": "1",
    "response_counts_rejections": "1",
}


def audit(session) -> list[AuditEvent]:
    statement = select(AuditEvent).where(col(AuditEvent.action) == "stats.formula_updated")
    return list(session.exec(statement).all())


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def two_rated(session, world):
    rated(session, world, Rating.SATISFIED, resolved=True)
    rated(session, world, Rating.BASICALLY, resolved=False)


def rates(soup) -> dict[str, str]:
    return {
        text(one(stat, ".stat-label")): text(one(stat, ".stat-value"))
        for stat in soup.select("#formula-rates .stat")
    }


def test_full_page_shows_the_choices_the_sentences_and_the_figures(login_as, world, two_rated):
    response = login_as(world.admin).get(URL)

    assert response.status_code == 200
    soup = parse(response)
    assert text(one(soup, "h1")) == "统计口径"
    assert one(soup, "#field-satisfied_includes_basically").has_attr("checked")
    assert not one(soup, "#field-unrated_counts_as_satisfied").has_attr("checked")
    sentences = texts(soup, "#formula-preview li")
    assert any(s.startswith("满意率 = ") and "或“基本满意”" in s for s in sentences)
    assert rates(soup)["满意率"] == "100.0%"
    assert rates(soup)["解决率"] == "50.0%"
    assert soup.select("#formula-unsaved") == []
    form = one(soup, "form#formula-form")
    assert (form["method"], form["action"].endswith(URL)) == ("post", True)


def test_ticking_a_box_previews_sentences_and_figures_without_saving(
    session, login_as, world, two_rated
):
    response = login_as(world.admin).get(
        URL, params={"preview": "1", "response_counts_rejections": "1"}, headers=HTMX
    )

    root = fragment_root(response)
    assert root["id"] == "formula-preview"
    soup = parse(response)
    assert any("“基本满意”不计入" in s for s in texts(soup, "li"))
    assert rates(soup)["满意率"] == "50.0%"
    assert text(one(soup, "#formula-unsaved")) == "尚未保存"
    assert get_formula(session) == Formula()
    assert audit(session) == []


def test_page_fragment_for_htmx(login_as, world):
    assert fragment_root(login_as(world.admin).get(URL, headers=HTMX))["id"] == "formula-preview"


def test_saving_without_js_redirects_is_audited_and_changes_the_figures(
    session, login_as, world, csrf, two_rated
):
    scope, year = StatsScope(label="县"), Period.year(2026)
    before = ticket_figures(session, scope, year)
    assert before.rates[RateName.SATISFACTION].percent == "100.0%"

    response = post_form(login_as(world.admin), URL, csrf, {"response_counts_rejections": "1"})

    assert response.status_code == 303
    assert response.headers["location"] == f"{URL}?done=saved"
    assert get_formula(session) == Formula(satisfied_includes_basically=False)
    [event] = audit(session)
    assert event.data == {"satisfied_includes_basically": False}
    assert event.actor_id == world.admin.id
    after = ticket_figures(session, scope, year)
    assert after.rates[RateName.SATISFACTION].percent == "50.0%"
    page = parse(login_as(world.admin).get(response.headers["location"]))
    assert text(one(page, "#formula-notice")).startswith("已保存统计口径")
    assert not one(page, "#field-satisfied_includes_basically").has_attr("checked")
    assert rates(page)["满意率"] == "50.0%"


def test_saving_with_htmx_returns_the_form(session, login_as, world, csrf):
    response = post_form(
        login_as(world.admin),
        URL,
        csrf,
        {**ALL_ON, "unrated_counts_as_satisfied": "1"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert fragment_root(response)["id"] == "formula-form"
    assert one(parse(response), "#field-unrated_counts_as_satisfied").has_attr("checked")
    assert get_formula(session).unrated_counts_as_satisfied is True


@pytest.mark.parametrize("user", ["lead", "member", "editor"])
def test_only_admins(session, login_as, world, csrf, user):
    client = login_as(getattr(world, user))
    assert client.get(URL).status_code == 403
    assert post_form(client, URL, csrf, {}).status_code == 403
    assert get_formula(session) == Formula()
    assert audit(session) == []


def test_post_without_csrf_changes_nothing(session, login_as, world):
    response = post_form(login_as(world.admin), URL, None, {})

    assert response.status_code == 403
    assert get_formula(session) == Formula()
    assert audit(session) == []
