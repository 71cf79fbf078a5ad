"""Demo lists: realistic, valid against the specs, cross-referenced, and drawable."""

import xml.etree.ElementTree as ET

import pytest

from app.powerlist.flowchart import render_svg
from app.powerlist.specs import (
    CATEGORY_COLLECTIVE,
    CATEGORY_SERVICE,
    NEGATIVE_PREFIXES,
    ListContent,
    ListKind,
    StepKind,
)
from app.powerlist.standard_content import (
    OFFICE_KIND_LABELS,
    OfficeKind,
    county_village_cadre_list,
    county_village_duty_list,
    county_village_negative_list,
    office_duty_list,
    township_duty_list,
)

ALL_DUTY_LISTS = [
    county_village_duty_list(),
    township_duty_list(),
    *(office_duty_list(kind) for kind in OfficeKind),
]


def test_village_duty_list_is_complete() -> None:
    content = county_village_duty_list()
    assert content.kind == ListKind.DUTY
    assert len(content.items) >= 22
    categories = {item.category for item in content.items}
    assert categories == {CATEGORY_COLLECTIVE, CATEGORY_SERVICE}
    names = {item.name for item in content.items}
    for expected in (
        "村级重大事项决策",
        "村级工程项目招投标管理",
        "村级集体资产资源处置",
        "村级财务收支管理（报账）",
        "村民宅基地审批",
        "最低生活保障申请",
        "困难群众临时救助申请",
        "出具证明",
        "村级印章使用管理",
        "农村殡葬管理",
    ):
        assert expected in names
    for item in content.items:
        assert item.steps, item.name
        assert item.legal_bases, item.name
        assert 1 <= len(item.risks) <= 3, item.name
        assert item.accountability, item.name
        assert item.disclosure.content, item.name
        assert any(step.time_limit for step in item.steps), item.name


def test_major_decision_follows_the_five_step_method() -> None:
    item = county_village_duty_list().items[0]
    names = [step.name for step in item.steps]
    assert names[:5] == [
        "党员群众建议",
        "村党组织提议",
        "村务联席会议商议",
        "党员大会审议",
        "村民（代表）会议决议",
    ]
    decisions = [step for step in item.steps if step.kind == StepKind.DECISION]
    assert decisions
    assert all(step.reject_to == 2 for step in decisions)
    assert "15 日" in item.steps[2].disclosure


def test_asset_disposal_has_the_ten_thousand_yuan_threshold() -> None:
    item = next(i for i in county_village_duty_list().items if i.name == "村级集体资产资源处置")
    text = " ".join(step.description for step in item.steps)
    assert "1 万元以上进乡镇公共资源交易中心" in text


def test_negative_list_and_cross_references() -> None:
    duty = county_village_duty_list()
    negative = county_village_negative_list()
    assert negative.kind == ListKind.NEGATIVE
    assert len(negative.negative_items) >= 12
    duty_numbers = {item.number for item in duty.items}
    negative_numbers = {n.number for n in negative.negative_items}
    for entry in negative.negative_items:
        assert entry.act.startswith(NEGATIVE_PREFIXES)
        assert entry.basis
        assert entry.consequence
        assert set(entry.item_refs) <= duty_numbers, entry.number
    for item in duty.items:
        assert set(item.negative_refs) <= negative_numbers, item.number
    # The links agree in both directions.
    for entry in negative.negative_items:
        for ref in entry.item_refs:
            item = next(i for i in duty.items if i.number == ref)
            assert entry.number in item.negative_refs, (entry.number, ref)


def test_cadre_list() -> None:
    content = county_village_cadre_list()
    assert content.kind == ListKind.CADRE
    posts = [duty.post for duty in content.cadre_duties]
    for post in ("村党组织书记", "村民委员会主任", "村务监督委员会主任", "村报账员", "村文书"):
        assert post in posts
    assert all(duty.person and duty.duties for duty in content.cadre_duties)


def test_township_and_office_lists() -> None:
    assert len(township_duty_list().items) >= 8
    assert set(OFFICE_KIND_LABELS) == set(OfficeKind)
    for kind in OfficeKind:
        assert len(office_duty_list(kind).items) >= 5, kind


@pytest.mark.parametrize(
    "content",
    [*ALL_DUTY_LISTS, county_village_cadre_list(), county_village_negative_list()],
)
def test_every_list_revalidates(content: ListContent) -> None:
    assert ListContent.model_validate(content.model_dump()) == content
    assert ListContent.model_validate_json(content.model_dump_json()) == content


def test_every_item_draws_a_flowchart() -> None:
    for content in ALL_DUTY_LISTS:
        for item in content.items:
            root = ET.fromstring(render_svg(item.name, item.steps))
            text = "".join(root.itertext())
            assert all(step.name in text for step in item.steps), item.name
