"""SVG charts drawn from numbers: bars and written values match the data, labels are escaped,
empty data draws a 暂无数据 chart, and every chart carries its table fallback."""

from xml.etree import ElementTree as ET

import pytest

from app.stats.charts import (
    EMPTY_TEXT,
    WIDTH,
    Series,
    bar_chart,
    hbar_chart,
    nice_step,
    shorten,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
MONTHS = [f"{m}月" for m in range(1, 13)]


def svg_root(chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def bars(root: ET.Element, series: int | None = None) -> list[ET.Element]:
    found = root.findall(".//svg:rect", NS)
    wanted = "bar" if series is None else f"bar series-{series}"
    return [
        r
        for r in found
        if r.get("class", "").startswith("bar") and (series is None or r.get("class") == wanted)
    ]


def texts(root: ET.Element, cls: str) -> list[str]:
    return [t.text or "" for t in root.findall(".//svg:text", NS) if t.get("class") == cls]


def trend(received, answered):
    return bar_chart(
        chart_id="chart-trend",
        title="2026年各月收件与答复",
        description="测试县每月收到的工单数和其中已答复的工单数。",
        categories=MONTHS,
        series=[Series("收件", tuple(received)), Series("已答复", tuple(answered))],
        category_header="月份",
    )


def test_bar_chart_draws_one_bar_per_month_and_series_with_its_value():
    received = [3, 0, 5, 12, 7, 1, 0, 0, 9, 4, 2, 6]
    answered = [2, 0, 5, 10, 7, 1, 0, 0, 8, 3, 1, 0]
    chart = trend(received, answered)
    root = svg_root(chart)
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("width") is None, "sized by its viewBox and CSS, so it scales"
    assert "Noto Sans CJK SC" in root.get("font-family", "")
    assert root.findtext("svg:title", namespaces=NS) == "2026年各月收件与答复"
    assert root.findtext("svg:desc", namespaces=NS).startswith("测试县每月")
    assert root.get("aria-labelledby") == "chart-trend-title chart-trend-desc"
    assert len(bars(root, 0)) == 12
    assert len(bars(root, 1)) == 12
    # Every value is written, in month order, alternating the two series.
    expected = [str(v) for pair in zip(received, answered, strict=True) for v in pair]
    assert texts(root, "value") == expected
    assert texts(root, "label") == MONTHS
    # Heights follow the values: the tallest bar is April's received, zero bars are flat.
    heights = [float(r.get("height")) for r in bars(root, 0)]
    assert max(heights) == heights[3]
    assert heights[1] == 0
    assert heights[2] == pytest.approx(heights[3] * 5 / 12, abs=0.2)
    # The second series is hatched (differs without colour) with a pattern id of this chart.
    fill = bars(root, 1)[0].get("fill")
    assert fill == "url(#chart-trend-hatch-1)"
    assert root.find(".//svg:pattern[@id='chart-trend-hatch-1']", NS) is not None
    legend = [t.text for t in root.findall(".//svg:g[@class='legend']/svg:text", NS)]
    assert legend == ["收件", "已答复"]


def test_bar_chart_rows_feed_the_data_table():
    chart = trend([1] * 12, [0] * 12)
    assert chart.columns == ("月份", "收件（件）", "已答复（件）")
    assert chart.rows[0] == ("1月", (1, 0))
    assert len(chart.rows) == 12
    assert not chart.empty


def test_no_tickets_draws_a_no_data_chart():
    chart = trend([0] * 12, [0] * 12)
    assert chart.empty
    root = svg_root(chart)
    assert texts(root, "empty") == [EMPTY_TEXT]
    assert bars(root) == []
    assert root.findtext("svg:title", namespaces=NS) == "2026年各月收件与答复"
    # The table still lists the months (all zero).
    assert len(chart.rows) == 12

    empty = hbar_chart(chart_id="c", title="按投诉类别", description="d", rows=[])
    assert empty.empty
    assert texts(svg_root(empty), "empty") == [EMPTY_TEXT]


def test_horizontal_bars_scale_to_the_largest_value_and_write_every_value():
    chart = hbar_chart(
        chart_id="chart-category",
        title="按投诉类别",
        description="各类别件数",
        rows=[("吃拿卡要", 4), ("办事拖延", 8), ("服务态度", 0)],
        category_header="投诉类别",
        value_header="收件",
    )
    root = svg_root(chart)
    widths = [float(r.get("width")) for r in bars(root)]
    assert widths[1] == max(widths)
    assert widths[0] == pytest.approx(widths[1] / 2, abs=0.2)
    assert widths[2] == 0
    assert texts(root, "value") == ["4", "8", "0"]
    assert texts(root, "label") == ["吃拿卡要", "办事拖延", "服务态度"]
    assert chart.columns == ("投诉类别", "收件（件）")
    assert chart.rows == (("吃拿卡要", (4,)), ("办事拖延", (8,)), ("服务态度", (0,)))
    # Each bar names itself for screen readers and tooltips.
    assert bars(root)[1].findtext("svg:title", namespaces=NS) == "办事拖延：8件"


def test_labels_are_escaped_text_never_markup():
    name = '<script>alert("x")</script> & 某村'
    chart = hbar_chart(chart_id="c", title="标题 & <b>", description="d", rows=[(name, 2)])
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg
    root = svg_root(chart)  # still well-formed XML
    assert root.findtext("svg:title", namespaces=NS) == "标题 & <b>"
    label = next(t for t in root.findall(".//svg:text", NS) if t.get("class") == "label")
    # Too long for the label column: shortened, with the full name in its <title>.
    assert label.text.endswith("…")
    assert label.findtext("svg:title", namespaces=NS) == name


def test_long_month_labels_turn_sideways_instead_of_overlapping():
    months = [f"2026年{m}月" for m in range(1, 13)]
    chart = bar_chart(
        chart_id="t",
        title="t",
        description="d",
        categories=months,
        series=[Series("收件", tuple(range(1, 13)))],
    )
    root = svg_root(chart)
    labels = [t for t in root.findall(".//svg:text", NS) if t.get("class") == "label"]
    assert [t.text for t in labels] == months
    assert all(t.get("transform", "").startswith("rotate(-90") for t in labels)
    assert root.find(".//svg:g[@class='legend']", NS) is None, "one series needs no legend"


def test_many_months_widen_the_chart_rather_than_shrink_the_bars():
    categories = [str(i) for i in range(60)]
    chart = bar_chart(
        chart_id="t",
        title="t",
        description="d",
        categories=categories,
        series=[Series("a", (1,) * 60), Series("b", (1,) * 60)],
    )
    root = svg_root(chart)
    assert all(float(r.get("width")) >= 9 for r in bars(root))
    assert float(root.get("viewBox").split()[2]) > WIDTH


def test_series_must_match_the_categories():
    with pytest.raises(ValueError, match="one value per category"):
        bar_chart(
            chart_id="t",
            title="t",
            description="d",
            categories=["1月"],
            series=[Series("a", (1, 2))],
        )


@pytest.mark.parametrize(
    ("top", "step"), [(0, 1), (3, 1), (7, 2), (10, 5), (38, 10), (120, 50), (999, 500)]
)
def test_grid_steps_are_round(top, step):
    assert nice_step(top) == step


def test_shorten_keeps_short_text_and_cuts_long_text():
    assert shorten("甲镇", 12, 100) == "甲镇"
    cut = shorten("一二三四五六七八九十", 12, 60)
    assert cut.endswith("…")
    assert len(cut) < 10
