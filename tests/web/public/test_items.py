"""GET /items/{key} and /items/{key}/flowchart.svg — a published power item and its flowchart."""

import xml.etree.ElementTree as ET

import pytest

from app.powerlist import editing, service, standard
from app.powerlist.specs import ListContent, ListKind
from app.unit.models import UnitKind
from tests.factories import make_team
from tests.html import one, parse, text, texts
from tests.powerlist.factories import make_draft
from tests.web.public.list_helpers import duty_list, negative_list, publish, republish

SVG = "{http://www.w3.org/2000/svg}"


def href(link) -> str:  # type: ignore[no-untyped-def]
    return str(link["href"]).removeprefix("http://testserver")


def first_key(session, unit) -> str:  # type: ignore[no-untyped-def]
    published = service.current_published(session, unit=unit, kind=ListKind.DUTY)
    assert published is not None
    key = published.content.items[0].key
    assert key is not None
    return key


def test_item_page_shows_everything_about_the_item(client, world, session):
    publish(session, world, world.village, duty_list(2))
    publish(session, world, world.village, negative_list(2))
    key = first_key(session, world.village)

    response = client.get(f"/items/{key}")

    assert response.status_code == 200
    page = parse(response)
    assert texts(page, ".breadcrumbs li") == ["首页", "测试县", "甲镇", "甲村", "职责清单", "1.1"]
    assert href(page.select(".breadcrumbs a")[3]) == f"/units/{world.village.code}"
    assert text(one(page, "h1")) == "1.1 事项1"
    assert text(one(page, ".item-category")) == "集体管理"
    assert text(one(page, "#item-responsible")) == "村委会主任"
    assert text(one(page, "#item-limit")) == "10 个工作日"
    assert text(one(page, "#item-team")) == "甲镇纪委"
    assert text(one(page, "#item-hotline a")) == "0574-11111111"

    complain = one(page, "a#complain-item")
    assert text(complain) == "对此事项投诉"
    assert complain["href"] == f"/complaints/new?unit={world.village.code}&item={key}"

    # The flowchart is inline SVG whose step names are real text.
    svg = one(page, "#flowchart figure svg")
    assert svg["role"] == "img"
    svg_text = " ".join(t.get_text() for t in svg.select("text"))
    for name in ("受理申请", "审核材料", "办结公开", "开始", "结束"):
        assert name in svg_text
    assert svg.select("script, foreignObject") == []
    assert not any(tag.has_attr("style") for tag in svg.find_all(True))

    steps = page.select("ol.process-steps > li")
    assert texts(page, ".process-steps .step-name") == ["受理申请", "审核材料 判断", "办结公开"]
    assert text(one(steps[0], ".step-actor")) == "村委会"
    assert text(one(steps[0], ".step-description")) == "村委会受理并登记"
    assert text(one(steps[0], ".step-limit")) == "2 个工作日"
    assert text(one(steps[1], ".step-disclosure")) == "审核结果张榜公示"
    assert text(one(steps[1], ".step-reject")) == "退回第 1 步（受理申请）"
    assert "decision" in steps[1]["class"]

    assert texts(page, "#materials li") == ["身份证", "户口簿"]
    assert texts(page, "#legal-bases li") == ["《中华人民共和国村民委员会组织法》 第二十四条"]
    assert texts(page, "#disclosure dd") == ["办理结果", "办结后 5 日内", "村务公开栏"]
    risk = one(page, "#risks li.risk")
    assert text(one(risk, ".risk-level")) == "高风险"
    assert "badge-red" in one(risk, ".risk-level")["class"]
    assert text(one(risk, ".risk-description")) == "优亲厚友"
    assert text(one(risk, ".risk-measure")) == "防控措施： 村务监督委员会全程监督"
    assert text(one(page, "#accountability p")) == "违反规定的，依纪依法追究责任"
    negative = one(page, "#negatives li a")
    assert text(negative) == "第 1 条"
    assert href(negative) == f"/units/{world.village.code}/lists/negative#negative-1"
    assert "不得违规行为1" in text(one(page, "#negatives li"))


def test_unresolved_negative_refs_are_shown_as_numbers(client, world, session):
    publish(session, world, world.village, duty_list(1))  # no negative list published

    page = parse(client.get(f"/items/{first_key(session, world.village)}"))

    assert texts(page, "#negatives li") == ["第 1 条"]
    assert page.select("#negatives a") == []


def test_item_supervising_team_override(client, world, session):
    team = make_team(session, name="县民政派驻组")
    team.phone = "0574-99999999"
    draft = make_draft(session, unit=world.village, actor=world.editor, content=duty_list(1))
    key = service.content_of(session, version=draft).items[0].key
    assert key is not None
    editing.set_item_team(session, version=draft, key=key, team=team, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    service.approve(session, version=draft, actor=world.lead)

    page = parse(client.get(f"/items/{key}"))

    assert text(one(page, "#item-team")) == "县民政派驻组 0574-99999999 （本事项指定）"


def test_item_keeps_its_key_across_versions_and_removed_items_404(client, world, session):
    publish(session, world, world.village, duty_list(2))
    published = service.current_published(session, unit=world.village, kind=ListKind.DUTY)
    assert published is not None
    kept, removed = (item.key for item in published.content.items)

    def change(content: ListContent) -> None:
        content.items[0].name = "改名后的事项"
        del content.items[1]

    republish(session, world, world.village, ListKind.DUTY, change)

    page = parse(client.get(f"/items/{kept}"))
    assert text(one(page, "h1")) == "1.1 改名后的事项"
    response = client.get(f"/items/{removed}")
    assert response.status_code == 404
    assert "事项不存在或已不在当前清单中" in text(one(parse(response), "#error-box"))
    assert client.get(f"/items/{removed}/flowchart.svg").status_code == 404


@pytest.mark.parametrize("case", ["unknown", "draft", "inactive-unit", "inactive-township"])
def test_item_404s(client, world, session, case):
    if case == "draft":
        draft = make_draft(session, unit=world.village, actor=world.editor, content=duty_list(1))
        key = service.content_of(session, version=draft).items[0].key
    elif case == "unknown":
        key = "nosuchkey234"
    else:
        publish(session, world, world.village, duty_list(1))
        key = first_key(session, world.village)
        (world.village if case == "inactive-unit" else world.township).is_active = False
        session.flush()

    assert client.get(f"/items/{key}").status_code == 404
    assert client.get(f"/items/{key}/flowchart.svg").status_code == 404
    assert client.get(f"/items/{key}/qr.png").status_code == 404


def test_standard_list_items_are_not_public(client, world, session):
    standard_list = standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.DUTY, actor=world.admin
    )
    draft = service.create_draft(session, power_list=standard_list, actor=world.admin)
    service.save_content(session, version=draft, content=duty_list(1), actor=world.admin)
    service.publish_directly(session, version=draft, actor=world.admin)
    key = service.content_of(session, version=draft).items[0].key

    assert client.get(f"/items/{key}").status_code == 404


def test_flowchart_svg_is_a_standalone_image(client, world, session):
    publish(session, world, world.village, duty_list(1))
    key = first_key(session, world.village)

    response = client.get(f"/items/{key}/flowchart.svg")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["content-disposition"] == f'inline; filename="flowchart-{key}.svg"'
    assert response.headers["cache-control"].startswith("public, max-age=")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    names = {"".join(node.itertext()) for node in root.iter(f"{SVG}text")}
    assert {"受理申请", "审核材料", "办结公开"} <= names
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "事项1 流程图"


def test_item_links_to_its_qr_code_and_flowchart(client, world, session):
    publish(session, world, world.village, duty_list(1))
    key = first_key(session, world.village)

    page = parse(client.get(f"/items/{key}"))

    assert one(page, "img.qr-thumb")["src"].endswith(f"/items/{key}/qr.svg")
    links = [href(a) for a in page.select(".item-share a")]
    assert f"/items/{key}/qr.png" in links
    assert f"/items/{key}/flowchart.svg" in links
    assert f"/units/{world.village.code}/poster" in links
