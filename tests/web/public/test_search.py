"""GET /search — units by name, code and pinyin, published items by their text; full page and
htmx fragment; each section paged on its own."""

import pytest
from sqlmodel import select

from app.powerlist.models import PowerItem
from app.powerlist.specs import ListContent, ListKind
from app.unit.models import UnitKind
from app.unit.pinyin import pinyin_keys
from tests.factories import make_unit
from tests.html import one, parse, text, texts
from tests.powerlist.factories import make_draft, make_item, make_published, make_step


@pytest.fixture
def wufeng(session, world):  # type: ignore[no-untyped-def]
    unit = make_unit(session, name="五丰社区", kind=UnitKind.COMMUNITY, parent=world.township)
    unit.pinyin, unit.pinyin_initials = pinyin_keys(unit.name)
    session.flush()
    return unit


def result_names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return texts(parse(response), "#search-results .result-list li > a")


def test_full_page_lists_matching_units_with_kind_and_parent(client, world):
    response = client.get("/search", params={"q": "甲"})

    assert response.status_code == 200
    page = parse(response)
    assert "搜索：甲" in text(one(page, "title"))
    assert one(page, "input[name=q]")["value"] == "甲"
    items = page.select("#search-results .result-list li")
    assert [text(li.select_one("a")) for li in items] == ["甲镇", "甲村"]
    assert text(items[1].select_one(".badge")) == "村"
    assert text(items[1].select_one(".result-parent")) == "甲镇"
    assert items[1].select_one("a")["href"].endswith(f"/units/{world.village.code}")
    assert "找到 2 个" in text(one(page, ".result-count"))


def test_htmx_request_gets_only_the_results_fragment(client, world):
    response = client.get("/search", params={"q": "甲"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    fragment = parse(response)
    assert fragment.select("html, header, form, h1") == []
    assert texts(one(fragment, "section#search-results"), ".result-list li > a") == ["甲镇", "甲村"]


@pytest.mark.parametrize("query", ["wf", "wufeng", "WuFeng", "wu feng", "wfsq", "五丰", "丰"])
def test_pinyin_initials_and_short_chinese_find_wufeng(client, wufeng, query):
    assert result_names(client.get("/search", params={"q": query})) == ["五丰社区"]


def test_search_by_code(client, wufeng):
    assert result_names(client.get("/search", params={"q": wufeng.code})) == ["五丰社区"]


def test_inactive_units_are_not_found(client, world, session):
    make_unit(
        session, name="撤并甲社区", kind=UnitKind.COMMUNITY, parent=world.township, is_active=False
    )

    assert result_names(client.get("/search", params={"q": "撤并"})) == []


def test_no_match_says_so(client, world):
    page = parse(client.get("/search", params={"q": "不存在的村"}))

    assert page.select(".result-list") == []
    assert "没有找到与“不存在的村”相关的单位" in text(one(page, "#search-results"))


def test_like_wildcards_are_literal(client, world):
    assert result_names(client.get("/search", params={"q": "%"})) == []
    assert result_names(client.get("/search", params={"q": "_"})) == []


def test_empty_query_shows_a_prompt(client, world):
    page = parse(client.get("/search"))

    assert page.select(".result-list") == []
    assert "拼音" in text(one(page, "#search-results"))


def test_results_are_paginated_and_keep_the_query(client, world, session):
    for n in range(25):
        make_unit(session, name=f"分页测试村{n:02d}", parent=world.township)

    first = parse(client.get("/search", params={"q": "分页测试"}))
    assert len(first.select(".result-list li")) == 20
    pager = one(first, "nav.pager")
    assert "第 1 / 2 页，共 25 条" in text(pager)
    next_link = one(pager, "a[rel=next]")["href"]
    assert "page=2" in next_link
    assert "q=%E5%88%86%E9%A1%B5%E6%B5%8B%E8%AF%95" in next_link

    second = parse(client.get("/search", params={"q": "分页测试", "page": 2}))
    assert len(second.select(".result-list li")) == 5
    assert one(second, "nav.pager a[rel=prev]")


def test_bad_page_number_is_a_zh_cn_422(client):
    response = client.get("/search", params={"q": "甲", "page": "abc"})

    assert response.status_code == 422
    assert text(one(parse(response), "#error-box h1")) == "提交的内容有误"


# ---------------------------------------------------------------------------------------------
# Power items (current published versions only)


def publish_items(session, world, *items, unit=None) -> None:  # type: ignore[no-untyped-def]
    make_published(
        session,
        unit=unit or world.village,
        editor=world.editor,
        lead=world.lead,
        content=ListContent(kind=ListKind.DUTY, items=list(items)),
    )


@pytest.fixture
def village_list(session, world):  # type: ignore[no-untyped-def]
    relief = make_item("2.1", "最低生活保障申请", category="便民服务").model_copy(
        update={"steps": [make_step("入户调查", description="核查家庭收入、财产状况")]}
    )
    publish_items(session, world, make_item("1.1", "村级印章使用管理", category="集体管理"), relief)
    return world.village


def item_hits(response):  # type: ignore[no-untyped-def]
    return parse(response).select("#item-results li.item-hit")


def item_names(soup) -> list[str]:  # type: ignore[no-untyped-def]
    """Item links as read (the <mark> around the match adds no space)."""
    return [a.get_text(strip=True) for a in soup.select("#item-results li.item-hit > a")]


def test_items_show_unit_township_category_and_link(client, session, village_list):
    response = client.get("/search", params={"q": "低保"})

    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "#item-results h2")) == "事项 1"
    assert text(one(page, "#unit-results h2")) == "单位 0"
    assert "没有名称或拼音与“低保”相符的单位" in text(one(page, "#unit-results"))
    (hit,) = item_hits(response)
    link = one(hit, "a")
    assert link.get_text() == "最低生活保障申请"
    assert text(one(hit, "mark")) == "最低生活保障"  # 低保, spelled out as the list writes it
    key = session.exec(select(PowerItem.key).where(PowerItem.name == "最低生活保障申请")).one()
    assert link["href"].endswith(f"/items/{key}")
    assert text(one(hit, ".badge")) == "便民服务"
    assert text(one(hit, ".result-unit")) == "甲村（甲镇）"
    assert hit.select(".snippet") == []


def test_a_match_outside_the_name_shows_where(client, village_list):
    (hit,) = item_hits(client.get("/search", params={"q": "家庭收入"}))

    assert one(hit, ".snippet").get_text() == "办理流程：入户调查：核查家庭收入、财产状况"
    assert text(one(hit, ".snippet mark")) == "家庭收入"


def test_one_character_finds_items_and_units_side_by_side(client, session, world, village_list):
    make_unit(session, name="印山村", parent=world.township)

    page = parse(client.get("/search", params={"q": "印"}))

    assert texts(page, "#unit-results .result-list li > a") == ["印山村"]
    assert item_names(page) == ["村级印章使用管理"]
    assert texts(page, ".result-count") == [
        "找到 1 个与“印”相关的单位",
        "找到 1 个与“印”相关的权力事项",
    ]


def test_htmx_fragment_carries_both_sections(client, village_list):
    response = client.get("/search", params={"q": "印"}, headers={"HX-Request": "true"})

    assert response.headers["vary"] == "HX-Request"
    fragment = parse(response)
    assert fragment.select("html, header, form, h1") == []
    section = one(fragment, "section#search-results")
    assert item_names(section) == ["村级印章使用管理"]
    assert one(section, "#unit-results")


def test_drafts_are_not_found(client, session, world):
    make_draft(
        session,
        unit=world.village,
        actor=world.editor,
        content=ListContent(kind=ListKind.DUTY, items=[make_item("1", "草稿里的事项")]),
    )

    page = parse(client.get("/search", params={"q": "草稿"}))

    assert page.select("#item-results") == []
    assert "没有找到与“草稿”相关的单位或事项" in text(one(page, "#search-results"))


def test_item_results_page_on_their_own(client, session, world):
    publish_items(session, world, *(make_item(str(n), f"分页事项{n:02d}") for n in range(1, 26)))

    first = parse(client.get("/search", params={"q": "分页事项"}))
    assert len(first.select("#item-results li.item-hit")) == 20
    pager = one(first, "#item-results nav.pager")
    assert "第 1 / 2 页，共 25 条" in text(pager)
    next_link = one(pager, "a[rel=next]")["href"]
    assert "item_page=2" in next_link
    assert "q=%E5%88%86%E9%A1%B5%E4%BA%8B%E9%A1%B9" in next_link

    second = parse(client.get(next_link))
    assert item_names(second) == [f"分页事项{n:02d}" for n in range(21, 26)]
    assert one(second, "#item-results nav.pager a[rel=prev]")


def test_empty_query_suggests_common_searches(client, world):
    page = parse(client.get("/search"))

    hints = page.select("#search-results .search-hints a")
    assert [text(a) for a in hints][:4] == ["低保", "宅基地", "印章", "救助"]
    assert hints[0]["href"].endswith("/search?q=%E4%BD%8E%E4%BF%9D")


def test_query_text_is_escaped(client, village_list):
    page = parse(client.get("/search", params={"q": "<b>印</b>"}))

    assert page.select("#search-results b") == []
    assert "<b>印</b>" in text(one(page, "#search-results"))
