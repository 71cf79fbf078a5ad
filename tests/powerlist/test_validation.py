"""Whole-list checks before review: blocking errors and warnings, located by row."""

from app.powerlist import validation
from app.powerlist.specs import ListContent, ListKind
from tests.powerlist.factories import cadre_content, make_item, negative_content


def test_empty_lists_are_refused_per_kind() -> None:
    assert validation.submit_errors(ListContent(kind=ListKind.CADRE)) == {
        "cadre_duties": "清单中还没有任何干部履职事项"
    }
    assert validation.submit_errors(ListContent(kind=ListKind.NEGATIVE)) == {
        "negative_items": "负面清单还没有任何条目"
    }
    assert validation.submit_errors(cadre_content()) == {}


def test_messages_name_their_row() -> None:
    content = ListContent(kind=ListKind.DUTY, items=[make_item("1.3", "宅基地审批")])
    assert validation.locate(content, "items[0].steps[1].actor", "请填写办理主体") == (
        "事项 1.3「宅基地审批」：请填写办理主体"
    )
    assert (
        validation.locate(negative_content(), "negative_items[1].act", "x") == "负面清单第 2 条：x"
    )
    assert validation.locate(content, "kind", "x") == "x"


def test_dangling_references_warn() -> None:
    content = negative_content(1).model_copy(deep=True)
    content.negative_items[0].item_refs.append("9")
    assert validation.warnings(content, known_refs={"1"}) == {
        "negative_items[0].item_refs": "负面清单第 1 条：职责清单中没有编号为 9 的事项"
    }
    assert validation.warnings(content) == {}
