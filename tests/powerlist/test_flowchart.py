"""SVG flowcharts: valid XML, text kept as text, CJK wrapping, decision branches, escaping."""

import re
import xml.etree.ElementTree as ET

import pytest

from app.powerlist.flowchart import NAME_SIZE, render_svg, text_width, wrap
from app.powerlist.specs import StepKind, StepSpec
from app.powerlist.standard_content import county_village_duty_list

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _texts(root: ET.Element) -> list[str]:
    """Each <text> element's lines joined, as a reader would see it."""
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def _all_text(root: ET.Element) -> str:
    return "".join(_texts(root))


def _decision_item_steps() -> list[StepSpec]:
    item = county_village_duty_list().items[0]
    assert item.name == "村级重大事项决策"
    return item.steps


def test_the_five_step_decision_chart() -> None:
    steps = _decision_item_steps()
    svg = render_svg("村级重大事项决策", steps, time_limit_text="办理时限：视事项而定")
    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "100%"
    assert root.get("preserveAspectRatio") == "xMidYMin meet"
    assert re.fullmatch(r"0 0 600 \d+(\.\d)?", root.get("viewBox", ""))
    text = _all_text(root)
    for label in ("开始", "结束", "通过", "不通过", "办理时限：视事项而定", "5 个工作日"):
        assert label in text
    for step in steps:
        assert step.name in text
        assert step.actor in text
    # Step numbers are shown so "退回第 n 步" can be followed on paper.
    assert {str(n) for n in range(1, len(steps) + 1)} <= set(_texts(root))


def test_every_step_becomes_one_shape() -> None:
    steps = _decision_item_steps()
    root = _parse(render_svg("x", steps))
    decisions = [s for s in steps if s.kind == StepKind.DECISION]
    assert len(list(root.iter(f"{SVG}polygon"))) == len(decisions)
    # Task boxes + start + end terminators (all rects except the white background).
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("fill") != "#ffffff"]
    assert len(rects) == len(steps) - len(decisions) + 2


def test_rejection_routes_back_with_a_dashed_arrow() -> None:
    steps = [
        StepSpec(name="提出申请", actor="申请人"),
        StepSpec(name="审核", actor="乡镇", kind=StepKind.DECISION, reject_to=1),
    ]
    root = _parse(render_svg("申请", steps))
    paths = [p for p in root.iter(f"{SVG}path") if p.get("marker-end")]
    rejected = [p for p in paths if p.get("stroke-dasharray")]
    assert len(rejected) == 1
    assert "不通过" in _texts(root)
    assert "结束（不予办理）" not in _all_text(root)
    # The marker the arrows refer to exists.
    marker_ids = {m.get("id") for m in root.iter(f"{SVG}marker")}
    for path in paths:
        assert path.get("marker-end", "")[5:-1] in marker_ids


def test_rejection_without_target_ends_the_process() -> None:
    steps = [
        StepSpec(name="提出申请", actor="申请人"),
        StepSpec(name="审核", actor="乡镇", kind=StepKind.DECISION, reject_label="不符合条件"),
    ]
    root = _parse(render_svg("申请", steps))
    text = _all_text(root)
    assert "不符合条件" in text
    assert "结束（不予办理）" in text


def test_accessible_title_and_description() -> None:
    steps = _decision_item_steps()
    root = _parse(render_svg("村级重大事项决策", steps))
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text == "村级重大事项决策 流程图"
    assert desc.text is not None
    assert "第4步 党员大会审议" in desc.text
    assert "不通过则退回第2步" in desc.text


def test_presentation_attributes_only_and_readable_font_sizes() -> None:
    svg = render_svg("村级重大事项决策", _decision_item_steps())
    root = _parse(svg)
    for element in root.iter():
        assert "style" not in element.attrib  # the site's CSP forbids inline styles
        assert element.tag not in (f"{SVG}script", f"{SVG}image", f"{SVG}foreignObject")
    sizes = [float(t.get("font-size", "0")) for t in root.iter(f"{SVG}text")]
    assert min(sizes) >= 14
    assert "Noto Sans CJK SC" in (root.get("font-family") or "")


def test_long_cjk_names_wrap_inside_the_box() -> None:
    name = "组织实施并公开实施结果接受群众评议和村务监督委员会全程监督"
    root = _parse(render_svg("x", [StepSpec(name=name, actor="村民委员会")]))
    text = next(
        t
        for t in root.iter(f"{SVG}text")
        if t.get("font-weight") == "bold" and name[:4] in "".join(t.itertext())
    )
    lines = [span.text or "" for span in text.iter(f"{SVG}tspan")]
    assert len(lines) > 1
    assert "".join(lines) == name
    assert all(text_width(line, NAME_SIZE) <= 400 for line in lines)
    # Wrapped lines are stacked, not drawn over one another.
    ys = [float(span.get("y", "0")) for span in text.iter(f"{SVG}tspan")]
    assert ys == sorted(ys)
    assert len(set(ys)) == len(ys)


def test_wrap_measures_cjk_as_one_em_and_ascii_narrower() -> None:
    assert wrap("一二三四五六", 3 * 20, 20) == ["一二三", "四五六"]
    # ASCII words are kept whole when they fit.
    assert wrap("办理 GB/T 41371 标准", 6 * 20, 20) == ["办理 GB/T", "41371 标准"]
    # Closing punctuation never starts a line.
    assert wrap("一二三，四五", 3 * 20, 20) == ["一二三，", "四五"]
    # No lone character on the last line.
    assert wrap("一二三四五六七", 6 * 20, 20) == ["一二三四五", "六七"]


def test_wrap_cuts_with_an_ellipsis_after_max_lines() -> None:
    lines = wrap("事" * 100, 10 * 20, 20, max_lines=4)
    assert len(lines) == 4
    assert lines[-1].endswith("…")
    assert all(text_width(line, 20) <= 10 * 20 for line in lines)


def test_text_is_escaped() -> None:
    name = '<script>alert("x")</script> & 《办法》'
    svg = render_svg(name, [StepSpec(name=name, actor="<b>村委会</b>")])
    assert "<script>" not in svg
    root = _parse(svg)
    assert not list(root.iter(f"{SVG}script"))
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == f"{name} 流程图"
    assert "<b>村委会</b>" in _all_text(root)


def test_output_is_deterministic_and_ids_differ_between_charts() -> None:
    steps = _decision_item_steps()
    assert render_svg("a", steps) == render_svg("a", steps)
    ids_a = {e.get("id") for e in _parse(render_svg("a", steps)).iter() if e.get("id")}
    ids_b = {e.get("id") for e in _parse(render_svg("b", steps)).iter() if e.get("id")}
    assert ids_a
    assert not ids_a & ids_b


@pytest.mark.parametrize("count", [0, 1, 12])
def test_any_number_of_steps_renders(count: int) -> None:
    steps = [StepSpec(name=f"步骤{n}", actor="村委会", time_limit=n + 1) for n in range(count)]
    root = _parse(render_svg("x", steps))
    text = _all_text(root)
    assert all(f"步骤{n}" in text for n in range(count))


def test_crossing_loops_use_separate_lanes() -> None:
    steps = [
        StepSpec(name="一", actor="甲"),
        StepSpec(name="二", actor="甲"),
        StepSpec(name="三", actor="甲", kind=StepKind.DECISION, reject_to=1),
        StepSpec(name="四", actor="甲", kind=StepKind.DECISION, reject_to=2),
    ]
    root = _parse(render_svg("x", steps))
    lanes = set()
    for path in root.iter(f"{SVG}path"):
        if path.get("stroke-dasharray"):
            match = re.search(r" H([\d.]+) V", path.get("d", ""))
            assert match
            lanes.add(match.group(1))
    assert len(lanes) == 2
