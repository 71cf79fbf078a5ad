"""GET /units/{code} — breadcrumbs, hotline and team (inherited), children, 404s, fragment."""

import pytest

from app.unit.models import UnitKind
from tests.factories import make_team, make_unit
from tests.html import one, parse, text, texts


def test_village_page_shows_chain_kind_and_inherited_hotline(client, world):
    response = client.get(f"/units/{world.village.code}")

    assert response.status_code == 200
    page = parse(response)
    assert texts(page, ".breadcrumbs li") == ["首页", "测试县", "甲镇", "甲村"]
    assert one(page, ".breadcrumbs [aria-current=page]").name == "li"
    assert text(one(page, "h1")) == "甲村"
    assert text(one(page, "#unit-kind")) == "村"
    hotline = one(page, "#unit-hotline")
    assert text(one(hotline, "a")) == "0574-11111111"
    assert one(hotline, "a")["href"] == "tel:0574-11111111"
    # Citizens see where an inherited number belongs.
    assert text(one(hotline, ".inherited")) == "（测试县监督电话）"
    assert text(one(page, "#unit-team")) == "甲镇纪委"


def test_own_hotline_is_not_marked_inherited(client, world, session):
    world.township.hotline = "0574-22222222"
    session.flush()

    page = parse(client.get(f"/units/{world.village.code}"))
    assert text(one(page, "#unit-hotline .inherited")) == "（甲镇监督电话）"

    page = parse(client.get(f"/units/{world.township.code}"))
    assert text(one(page, "#unit-hotline a")) == "0574-22222222"
    assert page.select("#unit-hotline .inherited") == []


def test_no_hotline_anywhere_says_not_published(client, session):
    lonely = make_unit(session, name="孤县", kind=UnitKind.COUNTY)

    page = parse(client.get(f"/units/{lonely.code}"))

    assert text(one(page, "#unit-hotline")) == "暂未公布"


def test_unit_without_team_shows_the_county_default_team(client, world, session):
    township = make_unit(session, name="丙镇", kind=UnitKind.TOWNSHIP, parent=world.county)

    page = parse(client.get(f"/units/{township.code}"))

    assert text(one(page, "#unit-team")) == "测试县纪委监委"


def test_team_phone_is_shown(client, world, session):
    team = make_team(session, name="丁组")
    team.phone = "0574-33333333"
    unit = make_unit(session, name="丁站", kind=UnitKind.STATION, parent=world.county, team=team)

    page = parse(client.get(f"/units/{unit.code}"))

    assert text(one(page, "#unit-team")) == "丁组 0574-33333333"


def test_address_is_shown_only_when_set(client, world, session):
    page = parse(client.get(f"/units/{world.village.code}"))
    assert page.select("#unit-address") == []

    world.village.address = "甲镇甲村村委会一楼"
    session.flush()
    page = parse(client.get(f"/units/{world.village.code}"))
    assert text(one(page, "#unit-address")) == "甲镇甲村村委会一楼"


def test_township_lists_children_grouped_by_kind(client, world, session):
    make_unit(session, name="甲镇东社区", kind=UnitKind.COMMUNITY, parent=world.township)
    make_unit(session, name="关停村", parent=world.township, is_active=False)

    page = parse(client.get(f"/units/{world.township.code}"))

    section = one(page, "section#child-units")
    assert texts(section, "h3") == ["社区 （1）", "村 （1）"]
    assert texts(section, ".tile-list a") == ["甲镇东社区", "甲村"]
    link = section.select(".tile-list a")[1]
    assert link["href"].endswith(f"/units/{world.village.code}")


def test_village_has_no_children_section(client, world):
    page = parse(client.get(f"/units/{world.village.code}"))

    assert page.select("#child-units") == []


def test_htmx_request_gets_only_the_child_units_fragment(client, world):
    response = client.get(f"/units/{world.township.code}", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    fragment = parse(response)
    assert fragment.select("html, header, h1") == []
    assert texts(one(fragment, "section#child-units"), ".child-groups .tile-list a") == ["甲村"]


def test_full_page_sends_vary(client, world):
    response = client.get(f"/units/{world.township.code}")

    assert response.headers["vary"] == "HX-Request"
    assert one(parse(response), "header.site-header")


def test_power_lists_placeholder_and_complaint_link(client, world):
    page = parse(client.get(f"/units/{world.village.code}"))

    section = one(page, "section#power-lists")
    assert text(one(section, "h2")) == "权力清单"
    assert "正在整理公布" in text(section)
    assert section.select("li") == []
    complain = one(page, "a#complain")
    assert text(complain) == "我要投诉"
    assert complain["href"] == f"/complaints/new?unit={world.village.code}"


@pytest.mark.parametrize("case", ["unknown", "inactive", "under-inactive"])
def test_missing_or_inactive_units_answer_zh_cn_404(client, world, session, case):
    if case == "unknown":
        code = "999999999999"
    elif case == "inactive":
        code = make_unit(session, name="撤并村", parent=world.township, is_active=False).code
    else:
        world.other_township.is_active = False
        session.flush()
        code = world.other_village.code

    response = client.get(f"/units/{code}")

    assert response.status_code == 404
    page = parse(response)
    assert text(one(page, "#error-box h1")) == "页面不存在"
    assert "单位不存在" in text(one(page, "#error-box"))
