"""The unit page's three lists, a list page (current and historical versions), history and diffs."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from app.config import get_settings
from app.core import clock
from app.powerlist import service
from app.powerlist.models import VersionSource
from app.powerlist.specs import ListContent, ListKind
from tests.factories import make_unit
from tests.html import one, parse, text, texts
from tests.powerlist.factories import cadre_content, make_draft, make_item
from tests.web.public.list_helpers import duty_list, negative_list, publish, publish_all, republish

# 2026-03-02 10:00 in Shanghai.
MARCH = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def href(link) -> str:  # type: ignore[no-untyped-def]
    """A link's path and query (url_for writes absolute URLs)."""
    return str(link["href"]).removeprefix("http://testserver")


def unit_url(unit) -> str:  # type: ignore[no-untyped-def]
    return f"/units/{unit.code}"


# --- the unit page ---------------------------------------------------------------------------


def test_unit_page_shows_the_three_published_lists(client, world, session):
    publish_all(session, world, world.village, items=3, at=MARCH)

    page = parse(client.get(unit_url(world.village)))

    section = one(page, "section#power-lists")
    assert page.select("#power-lists .notice") == []
    duty = one(section, "#list-duty")
    assert text(one(duty, "h3")) == "职责清单（权力事项）"
    meta = one(duty, ".list-meta")
    assert text(one(meta, "time")) == "2026-03-02"
    assert one(meta, "time")["datetime"] == "2026-03-02T10:00"
    assert text(one(meta, ".list-count")) == "共 3 项"
    assert meta.select(".stale-badge") == []
    # Grouped by category in the order the list uses them.
    assert texts(duty, "h4.category-name") == ["集体管理 （2）", "便民服务 （1）"]
    rows = duty.select(".item-index li")
    assert [text(one(row, ".item-number")) for row in rows] == ["1.1", "1.3", "1.2"]
    first = rows[0]
    assert text(one(first, ".item-title a")) == "事项1"
    key = service.current_published(session, unit=world.village, kind=ListKind.DUTY)
    assert key is not None
    assert href(one(first, ".item-title a")) == f"/items/{key.content.items[0].key}"
    assert text(one(first, ".item-responsible")) == "村委会主任"
    assert text(one(first, ".item-limit")) == "10 个工作日"

    cadre = one(section, "#list-cadre")
    assert text(one(cadre, ".list-count")) == "共 3 个岗位"
    assert texts(cadre, "tbody th") == ["岗位1", "岗位2", "岗位3"]
    assert texts(cadre, "tbody .cadre-person") == ["张1", "张2", "张3"]
    assert texts(cadre, "tbody .cadre-duties") == ["主持村委会工作"] * 3

    negative = one(section, "#list-negative")
    assert texts(negative, ".negative-list .negative-act") == [
        "不得违规行为1",
        "不得违规行为2",
        "不得违规行为3",
    ]
    assert texts(negative, ".negative-list .item-number") == ["1", "2", "3"]

    links = [href(a) for a in duty.select(".list-links a")]
    code = world.village.code
    assert links == [f"/units/{code}/lists/duty", f"/units/{code}/lists/duty/history"]
    assert href(one(page, "a#poster-link")) == f"/units/{code}/poster"
    assert href(one(page, "a#qr-link")) == f"/units/{code}/qr.svg"
    assert href(one(page, "a#qr-png-link")) == f"/units/{code}/qr.png"


def test_unpublished_kinds_say_not_yet_published(client, world, session):
    publish(session, world, world.village, duty_list(2))
    # A draft is not published: nothing of it is public.
    make_draft(session, unit=world.village, actor=world.editor, content=cadre_content(2))

    page = parse(client.get(unit_url(world.village)))

    assert one(page, "#list-duty .list-count")
    assert text(one(page, "#list-cadre .not-published")) == "尚未公布"
    assert text(one(page, "#list-negative .not-published")) == "尚未公布"
    assert page.select("#list-cadre table, #list-cadre .list-links") == []


def test_nothing_published_keeps_the_notice_and_shows_no_fake_data(client, world):
    page = parse(client.get(unit_url(world.village)))

    section = one(page, "section#power-lists")
    assert "正在整理公布" in text(one(section, ".notice"))
    assert texts(section, ".not-published") == ["尚未公布"] * 3
    assert section.select(".item-index, table, .negative-list") == []


def test_unit_page_shows_the_published_version_while_a_new_draft_is_open(client, world, session):
    publish(session, world, world.village, duty_list(2))
    power_list = service.find_list(session, unit=world.village, kind=ListKind.DUTY)
    assert power_list is not None
    draft = service.create_draft(
        session, power_list=power_list, actor=world.editor, source=VersionSource.COPY
    )
    content = service.content_of(session, version=draft)
    content.items[0].name = "草稿里改过的名字"
    service.save_content(session, version=draft, content=content, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)

    page = parse(client.get(unit_url(world.village)))

    assert texts(page, "#list-duty .item-title") == ["事项1", "事项2"]


def test_stale_badge_after_list_stale_after_days(client, world, session, monkeypatch):
    publish_all(session, world, world.village, items=1, at=MARCH)

    with clock.frozen(MARCH + timedelta(days=365)):
        page = parse(client.get(unit_url(world.village)))
    assert page.select(".stale-badge") == []

    with clock.frozen(MARCH + timedelta(days=400)):
        page = parse(client.get(unit_url(world.village)))
    assert texts(page, "#power-lists .stale-badge") == ["超过 13 个月未更新"] * 3

    monkeypatch.setattr(get_settings(), "list_stale_after_days", 10)
    with clock.frozen(MARCH + timedelta(days=20)):
        page = parse(client.get(unit_url(world.village)))
    assert texts(page, "#list-duty .stale-badge") == ["超过 20 天未更新"]


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    bind = session.get_bind()
    event.listen(bind, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(bind, "before_cursor_execute", before)


def test_unit_page_query_count_does_not_grow_with_items(client, world, session):
    small = make_unit(session, name="小村", parent=world.township)
    large = make_unit(session, name="大村", parent=world.township)
    publish_all(session, world, small, items=3)
    publish_all(session, world, large, items=25)
    client.get(unit_url(small))  # warm up: first-request work is not the page's cost

    with counted(session) as few:
        assert client.get(unit_url(small)).status_code == 200
    with counted(session) as many:
        response = client.get(unit_url(large))

    assert response.status_code == 200
    assert len(parse(response).select("#list-duty .item-index li")) == 25
    assert len(few) == len(many), "\n".join(many)


# --- a list page -----------------------------------------------------------------------------


def list_url(unit, kind: str, query: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/units/{unit.code}/lists/{kind}{query}"


def test_duty_list_page_shows_every_item_with_its_steps(client, world, session):
    publish(session, world, world.village, duty_list(3), at=MARCH)
    current = service.current_published(session, unit=world.village, kind=ListKind.DUTY)
    assert current is not None

    response = client.get(list_url(world.village, "duty"))

    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "甲村 职责清单（权力事项）"
    assert texts(page, ".breadcrumbs li") == ["首页", "测试县", "甲镇", "甲村", "职责清单"]
    assert text(one(page, ".page-header .list-meta time")) == "2026-03-02"
    assert page.select("#version-banner") == []
    items = page.select("article.duty-item")
    assert len(items) == 3
    first = one(page, f"#item-{current.content.items[0].key}")
    assert href(one(first, "h3 a")) == f"/items/{current.content.items[0].key}"
    assert texts(first, ".step-summary li") == [
        "受理申请 （村委会，2 个工作日）",
        "审核材料 （村委会，2 个工作日）",
        "办结公开 （村委会，2 个工作日）",
    ]
    assert texts(first, ".item-risks .risk-level") == ["高风险"]
    negative_link = one(first, ".item-negatives a")
    assert href(negative_link) == f"/units/{world.village.code}/lists/negative#negative-1"
    assert href(one(page, "a.button.primary")) == f"/complaints/new?unit={world.village.code}"


def test_cadre_list_page_shows_requirements_and_phones(client, world, session):
    publish(session, world, world.village, cadre_content(2))

    page = parse(client.get(list_url(world.village, "cadre")))

    assert text(one(page, "h1")) == "甲村 干部履职干事清单"
    assert texts(page, ".cadre-table thead th") == [
        "岗位",
        "姓名",
        "履职事项",
        "履职要求",
        "办公电话",
    ]
    assert texts(page, ".cadre-table .cadre-phone a") == ["0574-1", "0574-1"]


def test_negative_list_page_links_related_power_items(client, world, session):
    publish(session, world, world.village, duty_list(2))
    publish(session, world, world.village, negative_list(2))
    duty = service.current_published(session, unit=world.village, kind=ListKind.DUTY)
    assert duty is not None

    page = parse(client.get(list_url(world.village, "negative")))

    first = one(page, "li#negative-1")
    assert text(one(first, ".negative-act")) == "不得违规行为1"
    assert text(one(first, ".negative-basis")) == "依据： 《村规民约》"
    assert text(one(first, ".negative-consequence")) == "违反后果： 批评教育"
    assert href(one(first, ".negative-refs a")) == f"/items/{duty.content.items[0].key}"


def test_historical_version_has_a_banner_linking_to_the_current_one(client, world, session):
    publish(session, world, world.village, duty_list(2), at=MARCH)

    def rename(content: ListContent) -> None:
        content.items[0].name = "新名字"

    republish(session, world, world.village, ListKind.DUTY, rename, at=MARCH + timedelta(days=30))

    page = parse(client.get(list_url(world.village, "duty", "?version=1")))

    banner = one(page, "#version-banner")
    assert text(banner) == "这是历史版本（第 1 版，2026-03-02 发布）， 查看现行版本"
    assert href(one(banner, "a")) == f"/units/{world.village.code}/lists/duty"
    assert texts(page, "article.duty-item h3") == ["1.1 事项1", "1.2 事项2"]
    # Items of an old version are not linked: their page shows only the current version.
    assert page.select("article.duty-item h3 a") == []

    current = parse(client.get(list_url(world.village, "duty", "?version=2")))
    assert current.select("#version-banner") == []
    assert texts(current, "article.duty-item h3") == ["1.1 新名字", "1.2 事项2"]


@pytest.mark.parametrize("case", ["draft", "submitted", "missing"])
def test_unpublished_versions_are_never_public(client, world, session, case):
    publish(session, world, world.village, duty_list(1))
    if case != "missing":
        version = make_draft(session, unit=world.village, actor=world.editor, content=duty_list(2))
        if case == "submitted":
            service.submit(session, version=version, actor=world.editor)

    response = client.get(list_url(world.village, "duty", "?version=2"))

    assert response.status_code == 404
    assert text(one(parse(response), "#error-box h1")) == "页面不存在"


@pytest.mark.parametrize("case", ["unknown-kind", "never-published", "draft-only", "inactive"])
def test_list_page_404s(client, world, session, case):
    kind = "duty"
    if case == "unknown-kind":
        publish(session, world, world.village, duty_list(1))
        kind = "secret"
    elif case == "draft-only":
        make_draft(session, unit=world.village, actor=world.editor, content=duty_list(1))
    elif case == "inactive":
        publish(session, world, world.village, duty_list(1))
        world.village.is_active = False
        session.flush()

    response = client.get(list_url(world.village, kind))

    assert response.status_code == 404
    if case in ("never-published", "draft-only"):
        assert "该单位尚未公布此清单" in text(one(parse(response), "#error-box"))


# --- history and diffs -----------------------------------------------------------------------


def history_url(unit, kind: str = "duty", query: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/units/{unit.code}/lists/{kind}/history{query}"


def publish_two_versions(session, world) -> None:  # type: ignore[no-untyped-def]
    publish(session, world, world.village, duty_list(2), at=MARCH)

    def change(content: ListContent) -> None:
        content.items[1].name = "事项2（修订）"
        content.items[1].responsible = "村党组织书记"
        content.items.append(make_item("1.3", "新增事项"))

    republish(session, world, world.village, ListKind.DUTY, change, at=MARCH + timedelta(days=30))


def test_history_lists_published_versions_and_diffs_previous_with_current(client, world, session):
    publish_two_versions(session, world)
    # A draft after that is not part of the public history.
    make_draft(session, unit=world.village, actor=world.editor, content=duty_list(1))

    response = client.get(history_url(world.village))

    assert response.status_code == 200
    page = parse(response)
    rows = page.select(".versions-table tbody tr")
    assert [text(one(row, "th")) for row in rows] == ["第 2 版", "第 1 版"]
    assert [text(row.select("td")[0]) for row in rows] == ["2026-04-01", "2026-03-02"]
    assert texts(page, ".versions-table .version-status") == ["现行", "已被替代"]
    assert [text(row.select("td")[2]) for row in rows] == ["3", "2"]
    assert href(one(rows[1], "th a")) == f"/units/{world.village.code}/lists/duty?version=1"

    diff = one(page, "section#list-diff")
    assert text(one(diff, ".diff-summary")) == "新增 1 项，修改 1 项"
    changed = one(diff, ".diff-row.diff-changed")
    assert text(one(changed, ".change-kind")) == "修改"
    assert text(one(changed, ".diff-title")) == "事项2（修订）"
    fields = {
        text(one(change, "dt")): (text(one(change, ".old-value")), text(one(change, ".new-value")))
        for change in changed.select(".field-change")
    }
    assert fields == {
        "事项名称": ("原为： 事项2", "改为： 事项2（修订）"),
        "责任主体": ("原为： 村委会主任", "改为： 村党组织书记"),
    }
    added = one(diff, ".diff-row.diff-added")
    assert text(one(added, ".change-kind")) == "新增"
    assert text(one(added, ".diff-title")) == "新增事项"
    # The picker works without JavaScript (GET form) and with htmx (swaps #list-diff).
    form = one(diff, "form.diff-picker")
    assert form["method"] == "get"
    assert form["action"].endswith(history_url(world.village))
    assert form["hx-target"] == "#list-diff"
    assert one(form, "select[name=from] option[selected]")["value"] == "1"
    assert one(form, "select[name=to] option[selected]")["value"] == "2"


def test_diff_between_chosen_versions(client, world, session):
    publish_two_versions(session, world)

    page = parse(client.get(history_url(world.village, query="?from=2&to=1")))

    diff = one(page, "section#list-diff")
    assert text(one(diff, ".diff-summary")) == "删除 1 项，修改 1 项"
    assert text(one(diff, ".diff-removed .diff-title")) == "新增事项"
    assert one(diff, "select[name=from] option[selected]")["value"] == "2"


def test_diff_fragment_for_htmx(client, world, session):
    publish_two_versions(session, world)

    response = client.get(
        history_url(world.village, query="?from=1&to=2"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    fragment = parse(response)
    assert fragment.select("html, header, h1, .versions-table") == []
    assert text(one(one(fragment, "section#list-diff"), ".diff-summary")) == "新增 1 项，修改 1 项"


def test_diff_of_cadre_and_negative_lists_names_the_entries(client, world, session):
    publish(session, world, world.village, negative_list(2))

    def change(content: ListContent) -> None:
        content.negative_items[0].consequence = "诫勉谈话"

    republish(session, world, world.village, ListKind.NEGATIVE, change)

    page = parse(client.get(history_url(world.village, "negative")))

    row = one(page, ".diff-row.diff-changed")
    assert text(one(row, ".diff-title")) == "1 不得违规行为1"
    assert text(one(row, ".field-change dt")) == "违反后果"


def test_single_version_has_nothing_to_compare(client, world, session):
    publish(session, world, world.village, duty_list(1))

    page = parse(client.get(history_url(world.village)))

    assert len(page.select(".versions-table tbody tr")) == 1
    assert "暂无可比较的变化" in text(one(page, "#list-diff"))
    assert page.select("#list-diff form") == []


@pytest.mark.parametrize("query", ["?from=3", "?to=9", "?from=0&to=1"])
def test_history_with_unknown_or_unpublished_versions_404s(client, world, session, query):
    publish_two_versions(session, world)
    make_draft(session, unit=world.village, actor=world.editor, content=duty_list(1))  # 第 3 版

    assert client.get(history_url(world.village, query=query)).status_code == 404


def test_history_of_unknown_kind_or_unpublished_list_404s(client, world, session):
    assert client.get(history_url(world.village)).status_code == 404
    publish(session, world, world.village, duty_list(1))
    assert client.get(history_url(world.village, "other")).status_code == 404
    assert client.get(history_url(world.village, "cadre")).status_code == 404
