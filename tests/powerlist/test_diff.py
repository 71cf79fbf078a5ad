"""Field-by-field differences between list versions."""

from sqlmodel import Session

from app.powerlist import service
from app.powerlist.diff import ChangeKind, FieldChange, diff_versions, item_diff
from app.powerlist.models import VersionSource
from app.powerlist.specs import (
    CadreDutySpec,
    LegalBasisSpec,
    ListContent,
    ListKind,
    NegativeSpec,
    RiskLevel,
    RiskSpec,
    TimeUnit,
)
from tests.factories import World
from tests.powerlist.factories import list_of, make_item, make_published, make_step


def duty(*items: object) -> ListContent:
    return ListContent.model_validate({"kind": ListKind.DUTY, "items": list(items)})


def test_identical_versions_have_no_diff() -> None:
    content = duty(make_item("1", key="a"), make_item("2", key="b"))
    result = diff_versions(content, content)
    assert result.is_empty
    assert result.summary == "无变化"


def test_items_added_removed_and_changed_by_key() -> None:
    old = duty(make_item("1", "宅基地审批", key="a"), make_item("2", "困难补助", key="b"))
    new = duty(
        make_item("1.1", "农村宅基地审批", key="a", time_limit=15),
        make_item("3", "出具证明", key="c"),
    )
    result = diff_versions(old, new)
    assert [(d.change, d.name) for d in result.items] == [
        (ChangeKind.CHANGED, "农村宅基地审批"),
        (ChangeKind.ADDED, "出具证明"),
        (ChangeKind.REMOVED, "困难补助"),
    ]
    assert result.items[0].fields == [
        FieldChange("number", "编号", "1", "1.1"),
        FieldChange("name", "事项名称", "宅基地审批", "农村宅基地审批"),
        FieldChange("time_limit", "办理时限", "10 个工作日", "15 个工作日"),
    ]
    assert result.summary == "新增 1 项，删除 1 项，修改 1 项"
    assert result.count(ChangeKind.ADDED) == 1


def test_items_without_keys_match_by_number() -> None:
    old = duty(make_item("1", "甲"), make_item("2", "乙"))
    new = duty(make_item("2", "乙"), make_item("1", "甲改"))
    result = diff_versions(old, new)
    assert [(d.change, d.number) for d in result.items] == [(ChangeKind.CHANGED, "1")]


def test_list_fields_legal_bases_materials_and_disclosure() -> None:
    old = make_item("1", key="a")
    new = make_item(
        "1",
        key="a",
        legal_bases=[
            LegalBasisSpec(title="《中华人民共和国村民委员会组织法》", article="第二十四条"),
            LegalBasisSpec(title="《浙江省村务公开条例》", article="第十条"),
        ],
        materials=["身份证"],
        disclosure={"content": "办理结果", "deadline": "办结后 3 日内", "channel": "村务公开栏"},
        time_unit=TimeUnit.CALENDAR,
    )
    changes = {c.field: c for c in (item_diff(old, new) or _fail()).fields}
    assert changes["legal_bases"].new == (
        "《中华人民共和国村民委员会组织法》第二十四条；《浙江省村务公开条例》第十条"
    )
    assert changes["materials"] == FieldChange("materials", "申请材料", "身份证；户口簿", "身份证")
    assert changes["disclosure_deadline"].label == "公开时限"
    assert changes["time_limit"].new == "10 个自然日"


def _fail() -> None:
    raise AssertionError("expected a diff")


def test_steps_and_risks_by_position() -> None:
    old = make_item("1", key="a", steps=3, risks=1)
    steps = [make_step("步骤1"), make_step("步骤2改", actor="镇政府", time_limit=5)]
    risks = [
        RiskSpec(description="风险1", level=RiskLevel.MEDIUM, measure="措施1"),
        RiskSpec(description="虚报冒领", level=RiskLevel.HIGH, measure="公示"),
    ]
    new = make_item("1", key="a").model_copy(update={"steps": steps, "risks": risks})
    result = item_diff(old, new)
    assert result is not None
    assert result.fields == []
    assert [(s.change, s.position, s.title) for s in result.steps] == [
        (ChangeKind.CHANGED, 2, "步骤2改"),
        (ChangeKind.REMOVED, 3, "步骤3"),
    ]
    assert [(f.label, f.old, f.new) for f in result.steps[0].fields] == [
        ("步骤名称", "步骤2", "步骤2改"),
        ("办理主体", "村委会", "镇政府"),
        ("时限", "2 个工作日", "5 个工作日"),
    ]
    assert [(r.change, r.position) for r in result.risks] == [(ChangeKind.ADDED, 2)]
    assert [(f.label, f.new) for f in result.risks[0].fields] == [
        ("风险点", "虚报冒领"),
        ("风险等级", "高"),
        ("防控措施", "公示"),
    ]
    assert result.changed_fields == ["steps", "risks"]


def test_cadre_duties_and_negative_items() -> None:
    old = ListContent(
        kind=ListKind.CADRE,
        cadre_duties=[
            CadreDutySpec(post="村党组织书记", person="张三", duties=["全面负责"]),
            CadreDutySpec(post="村委会主任", person="李四", duties=["村务管理"]),
        ],
    )
    new = ListContent(
        kind=ListKind.CADRE,
        cadre_duties=[
            CadreDutySpec(post="村党组织书记", person="张三", duties=["全面负责", "党建"]),
            CadreDutySpec(post="村委会主任", person="王五", duties=["村务管理"]),
        ],
    )
    result = diff_versions(old, new)
    assert [(d.change, d.title) for d in result.cadre_duties] == [
        (ChangeKind.CHANGED, "村党组织书记 张三"),
        (ChangeKind.CHANGED, "村委会主任 王五"),
    ]
    assert result.cadre_duties[1].fields == [FieldChange("person", "姓名", "李四", "王五")]

    negatives_old = ListContent(
        kind=ListKind.NEGATIVE, negative_items=[NegativeSpec(number="1", act="不得私设小金库")]
    )
    negatives_new = ListContent(
        kind=ListKind.NEGATIVE,
        negative_items=[
            NegativeSpec(number="1", act="不得私设“小金库”", consequence="给予党纪处分"),
            NegativeSpec(number="2", act="严禁优亲厚友"),
        ],
    )
    result = diff_versions(negatives_old, negatives_new)
    assert [d.change for d in result.negative_items] == [ChangeKind.CHANGED, ChangeKind.ADDED]
    assert [f.label for f in result.negative_items[0].fields] == ["禁止行为", "违反后果"]


def test_diff_of_two_published_versions(session: Session, world: World) -> None:
    first = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    second = service.create_draft(
        session,
        power_list=list_of(session, first),
        actor=world.editor,
        source=VersionSource.COPY,
    )
    content = service.content_of(session, version=second)
    renamed = content.items[0].model_copy(update={"name": "改名"})
    service.save_content(
        session,
        version=second,
        content=content.model_copy(update={"items": [renamed, *content.items[1:]]}),
        actor=world.editor,
    )
    result = diff_versions(
        service.content_of(session, version=first), service.content_of(session, version=second)
    )
    assert [(d.change, d.key, [f.field for f in d.fields]) for d in result.items] == [
        (ChangeKind.CHANGED, content.items[0].key, ["name"])
    ]
