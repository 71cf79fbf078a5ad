"""The list-content specs: zh-CN validation messages keyed by path, labels for every value."""

from typing import Any

import pytest
from pydantic import ValidationError

from app.powerlist.specs import (
    LIST_KIND_LABELS,
    RISK_LEVEL_LABELS,
    STEP_KIND_LABELS,
    TIME_UNIT_LABELS,
    ItemSpec,
    LegalBasisSpec,
    ListContent,
    ListKind,
    NegativeSpec,
    RiskLevel,
    StepKind,
    TimeUnit,
    format_time_limit,
    spec_errors,
)


def _step(**overrides: Any) -> dict[str, Any]:
    return {"name": "村党组织提议", "actor": "村党组织", **overrides}


def _item(**overrides: Any) -> dict[str, Any]:
    return {
        "number": "1.1",
        "name": "村级重大事项决策",
        "category": "集体管理",
        "responsible": "村党组织",
        "steps": [_step()],
        **overrides,
    }


def _errors(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        ListContent.model_validate(data)
    return spec_errors(caught.value)


def test_valid_content_gets_defaults() -> None:
    content = ListContent.model_validate({"kind": "duty", "items": [_item()]})
    item = content.items[0]
    assert item.time_unit == TimeUnit.WORKING
    assert item.steps[0].kind == StepKind.TASK
    assert item.steps[0].reject_label == "不通过"
    assert item.key is None
    assert item.disclosure.content == ""


def test_text_is_stripped() -> None:
    item = ItemSpec.model_validate(_item(name="  出具证明 ", materials=[" 身份证 "]))
    assert item.name == "出具证明"
    assert item.materials == ["身份证"]


def test_field_errors_are_keyed_by_path_in_chinese() -> None:
    errors = _errors(
        {
            "kind": "duty",
            "items": [
                _item(),
                _item(
                    number="1.2",
                    name=" ",
                    responsible="",
                    steps=[_step(time_limit=0), _step(time_limit="三天", kind="branch")],
                    risks=[{"description": "优亲厚友", "level": "很高", "measure": ""}],
                    materials=[""],
                ),
            ],
        }
    )
    assert errors == {
        "items[1].name": "请填写事项名称",
        "items[1].responsible": "请填写责任主体",
        "items[1].steps[0].time_limit": "必须是正整数",
        "items[1].steps[1].time_limit": "必须是整数",
        "items[1].steps[1].kind": "取值无效",
        "items[1].materials[0]": "不能为空",
        "items[1].risks[0].level": "取值无效",
        "items[1].risks[0].measure": "请填写防控措施",
    }


def test_an_item_needs_a_step() -> None:
    assert _errors({"kind": "duty", "items": [_item(steps=[])]}) == {
        "items[0].steps": "请至少填写一个办理步骤"
    }


def test_missing_fields_and_unknown_fields() -> None:
    errors = _errors({"kind": "duty", "items": [{"number": "1", "colour": "red"}]})
    assert errors["items[0].name"] == "此项必填"
    assert errors["items[0].steps"] == "此项必填"
    assert errors["items[0].colour"] == "不支持的字段"


def test_reject_to_must_point_to_an_earlier_step() -> None:
    steps = [
        _step(kind="decision", reject_to=1),
        _step(kind="decision", reject_to=2),
        _step(kind="decision", reject_to=3),
        _step(kind="decision", reject_to=1),
    ]
    errors = _errors({"kind": "duty", "items": [_item(steps=steps)]})
    assert errors == {
        "items[0].steps[0].reject_to": "第一个步骤不能设置退回步骤",
        "items[0].steps[1].reject_to": "退回步骤只能是第 1 步",
        "items[0].steps[2].reject_to": "退回步骤必须是本步骤之前的步骤序号（1–2）",
    }


def test_reject_to_only_on_decisions() -> None:
    errors = _errors({"kind": "duty", "items": [_item(steps=[_step(), _step(reject_to=1)])]})
    assert errors == {"items[0].steps[1].reject_to": "只有判断步骤才能设置不通过退回步骤"}


def test_decision_without_reject_to_ends_the_process() -> None:
    item = ItemSpec.model_validate(_item(steps=[_step(), _step(kind="decision")]))
    assert item.steps[1].reject_to is None


def test_numbers_and_keys_are_unique_within_a_list() -> None:
    errors = _errors(
        {
            "kind": "duty",
            "items": [_item(key="k1"), _item(name="另一事项", key="k1"), _item(number="2")],
        }
    )
    assert errors == {
        "items[1].number": "编号「1.1」在清单中重复",
        "items[1].key": "事项标识「k1」在清单中重复",
    }


def test_negative_items_must_prohibit() -> None:
    errors = _errors(
        {
            "kind": "negative",
            "negative_items": [
                {"number": "1", "act": "不得优亲厚友"},
                {"number": "2", "act": "严禁吃拿卡要"},
                {"number": "3", "act": "禁止公款吃喝"},
                {"number": "4", "act": "应当及时公开"},
                {"number": "4", "act": "不得拖延"},
            ],
        }
    )
    assert errors == {
        "negative_items[3].act": "禁止行为须以「不得」「严禁」或「禁止」开头",
    }
    # Duplicates surface once each item is valid on its own.
    errors = _errors(
        {
            "kind": "negative",
            "negative_items": [{"number": "4", "act": "不得拖延"}, {"number": "4", "act": "不得"}],
        }
    )
    assert errors == {"negative_items[1].number": "编号「4」在清单中重复"}


def test_a_list_holds_only_its_own_kind() -> None:
    errors = _errors(
        {
            "kind": "cadre",
            "items": [_item()],
            "negative_items": [{"number": "1", "act": "不得"}],
            "cadre_duties": [{"post": "村党组织书记", "person": "王建国", "duties": []}],
        }
    )
    assert errors == {"cadre_duties[0].duties": "请至少填写一项履职事项"}
    errors = _errors({"kind": "cadre", "items": [_item()]})
    assert errors == {"items": "干部履职干事清单不能包含权力事项"}


def test_length_limits() -> None:
    errors = _errors({"kind": "duty", "items": [_item(name="事" * 101)]})
    assert errors == {"items[0].name": "不能超过 100 个字"}


def test_labels_cover_every_value() -> None:
    assert set(LIST_KIND_LABELS) == set(ListKind)
    assert set(TIME_UNIT_LABELS) == set(TimeUnit)
    assert set(STEP_KIND_LABELS) == set(StepKind)
    assert set(RISK_LEVEL_LABELS) == set(RiskLevel)
    assert LIST_KIND_LABELS[ListKind.DUTY] == "职责清单（权力事项）"
    assert RISK_LEVEL_LABELS[RiskLevel.HIGH] == "高"


def test_format_time_limit_and_legal_basis_text() -> None:
    assert format_time_limit(5, TimeUnit.WORKING) == "5 个工作日"
    assert format_time_limit(15, TimeUnit.CALENDAR) == "15 个自然日"
    assert format_time_limit(None, TimeUnit.WORKING) == ""
    basis = LegalBasisSpec(title="《中华人民共和国土地管理法》", article="第六十二条")
    assert basis.text() == "《中华人民共和国土地管理法》第六十二条"


def test_negative_spec_alone() -> None:
    negative = NegativeSpec(number="1", act="不得插手工程项目", item_refs=["1.2", " 1.4 "])
    assert negative.item_refs == ["1.2", "1.4"]
