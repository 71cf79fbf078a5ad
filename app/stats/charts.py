"""Server-drawn SVG bar charts for the statistics pages: numbers in, escaped SVG text out.

No JavaScript and no chart library: every chart is built with ElementTree, which escapes all
text and attribute values (labels such as unit or category names come from the database), so
the output can be inlined in a page. Each chart writes its values on the bars (print-friendly,
nothing is told by colour alone), has a zh-CN <title>/<desc>, scales from its viewBox down to a
360 px phone, and carries the same numbers as rows for the <details><table> fallback beside it.
"""

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from xml.etree import ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','Noto Sans SC',sans-serif"
EMPTY_TEXT = "暂无数据"

INK = "#1f1f1f"
MUTED = "#595959"
GRID = "#d9d9d9"
# Tones a caller may pick for single-series charts; all keep 4.5:1 against white.
TONES = {"blue": "#174ea6", "green": "#1b5e20", "red": "#a4161a", "grey": "#3c3c3c"}
# Multi-series charts: the first series solid, the second hatched, so they differ in print too.
SERIES_STYLES = (("#174ea6", False), ("#1b5e20", True))

# viewBox units: a chart inside a card on a 360 px phone is about 300 px wide, so one unit
# is about one pixel there (and text of 12 units reads as 12 px).
WIDTH = 300
FONT = 12
SMALL = 11


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Chart:
    """A drawn chart and the table that says the same thing in words."""

    chart_id: str  # DOM id of the <svg>; ids inside it are prefixed with it
    title: str
    description: str
    svg: str  # serialized, escaped SVG
    columns: tuple[str, ...]  # fallback table header: the category column, then one per series
    rows: tuple[tuple[str, tuple[int, ...]], ...]
    note: str = ""

    @property
    def empty(self) -> bool:
        return not any(value for _label, values in self.rows for value in values)


def text_width(text: str, size: float) -> float:
    """Rough advance width: wide (CJK) characters 1 em, the rest about 0.6 em."""
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.6 for c in text) * size


def shorten(text: str, size: float, room: float) -> str:
    """The text cut to fit `room`, ending in "…" when cut (the full text stays in <title>)."""
    if text_width(text, size) <= room:
        return text
    kept = ""
    for char in text:
        if text_width(kept + char + "…", size) > room:
            break
        kept += char
    return kept + "…"


def nice_step(top: int, ticks: int = 4) -> int:
    """A round grid step (1, 2, 5 × 10ⁿ) giving at most `ticks` lines up to `top`."""
    if top <= ticks:
        return 1
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def _fmt(value: float) -> str:
    """Coordinates with at most one decimal, without trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    element = ET.SubElement(
        parent,
        tag,
        {
            k.rstrip("_").replace("_", "-"): _fmt(v) if isinstance(v, float) else str(v)
            for k, v in attrs.items()
        },
    )
    if text is not None:
        element.text = text
    return element


def _root(chart_id: str, title: str, description: str, width: float, height: float) -> ET.Element:
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "id": chart_id,
            "class": "chart",
            "viewBox": f"0 0 {_fmt(width)} {_fmt(height)}",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "font-family": FONT_FAMILY,
            "font-size": str(FONT),
        },
    )
    _el(root, "title", title, id=f"{chart_id}-title")
    _el(root, "desc", description, id=f"{chart_id}-desc")
    return root


def _serialize(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _empty_svg(chart_id: str, title: str, description: str) -> str:
    root = _root(chart_id, title, description, WIDTH, 120)
    _el(root, "rect", x=0.5, y=0.5, width=WIDTH - 1, height=119, fill="none", stroke=GRID)
    _el(
        root,
        "text",
        EMPTY_TEXT,
        class_="empty",
        x=WIDTH / 2,
        y=66.0,
        text_anchor="middle",
        fill=MUTED,
        font_size=14,
    )
    return _serialize(root)


def _hatch(defs: ET.Element, pattern_id: str, colour: str) -> None:
    pattern = _el(
        defs,
        "pattern",
        id=pattern_id,
        width=6,
        height=6,
        patternUnits="userSpaceOnUse",
        patternTransform="rotate(45)",
    )
    _el(pattern, "rect", width=6, height=6, fill="#ffffff")
    _el(pattern, "rect", width=3, height=6, fill=colour)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    category_header: str = "",
    unit: str = "件",
) -> Chart:
    """Vertical bars, one group per category (e.g. month) and one bar per series, each with its
    value written above it. At most two series (solid and hatched)."""
    if len(series) > len(SERIES_STYLES):
        raise ValueError("at most two series")
    for item in series:
        if len(item.values) != len(categories):
            raise ValueError("every series needs one value per category")
    rows = tuple(
        (label, tuple(item.values[i] for item in series)) for i, label in enumerate(categories)
    )
    columns = (category_header, *(f"{item.name}（{unit}）" for item in series))
    chart = Chart(chart_id, title, description, "", columns, rows)
    if chart.empty:
        return replace(chart, svg=_empty_svg(chart_id, title, description))

    top_value = max(v for item in series for v in item.values)
    step = nice_step(top_value)
    axis_top = step * math.ceil(top_value / step)
    value_room = max(text_width(str(v), SMALL) for item in series for v in item.values)
    label_room = max(text_width(label, SMALL) for label in categories)

    left, right = 8 + text_width(str(axis_top), SMALL) + 6, 8
    bar_min = 9.0
    group_gap = 4.0
    slot = max((WIDTH - left - right) / len(categories), bar_min * len(series) + group_gap)
    width = left + right + slot * len(categories)
    bar = (slot - group_gap) / len(series)
    rotate_values = value_room > bar + 1
    rotate_labels = label_room > slot - 2
    legend_h = 24 if len(series) > 1 else 0
    top = legend_h + (value_room + 8 if rotate_values else SMALL + 8)
    plot_h = 180.0
    bottom = (label_room + 10) if rotate_labels else SMALL + 10
    height = top + plot_h + bottom

    root = _root(chart_id, title, description, width, height)
    defs = _el(root, "defs")
    fills = []
    for index, (colour, hatched) in enumerate(SERIES_STYLES[: len(series)]):
        if hatched:
            pattern_id = f"{chart_id}-hatch-{index}"
            _hatch(defs, pattern_id, colour)
            fills.append((f"url(#{pattern_id})", colour))
        else:
            fills.append((colour, colour))

    if legend_h:
        legend = _el(root, "g", class_="legend")
        x = left
        for index, item in enumerate(series):
            fill, stroke = fills[index]
            _el(legend, "rect", x=x, y=4, width=14, height=14, fill=fill, stroke=stroke)
            _el(legend, "text", item.name, x=x + 19, y=16.0, fill=INK)
            x += 19 + text_width(item.name, FONT) + 16

    base = top + plot_h

    def y_of(value: float) -> float:
        return base - plot_h * value / axis_top

    grid = _el(root, "g", class_="grid")
    for tick in range(0, axis_top + 1, step):
        y = y_of(tick)
        _el(grid, "line", x1=left, y1=y, x2=width - right, y2=y, stroke=GRID)
        _el(
            grid,
            "text",
            str(tick),
            x=left - 5,
            y=y + 4,
            text_anchor="end",
            fill=MUTED,
            font_size=SMALL,
        )

    bars = _el(root, "g", class_="bars")
    for i, label in enumerate(categories):
        group_x = left + slot * i + group_gap / 2
        group = _el(bars, "g", class_="group")
        for s, item in enumerate(series):
            value = item.values[i]
            x = group_x + bar * s
            y = y_of(value)
            fill, stroke = fills[s]
            rect = _el(
                group,
                "rect",
                class_=f"bar series-{s}",
                x=x,
                y=y,
                width=bar,
                height=base - y,
                fill=fill,
                stroke=stroke,
            )
            _el(rect, "title", f"{label} {item.name}：{value}{unit}")
            centre = x + bar / 2
            if rotate_values:
                _el(
                    group,
                    "text",
                    str(value),
                    class_="value",
                    x=centre,
                    y=y - 4,
                    transform=f"rotate(-90 {_fmt(centre)} {_fmt(y - 4)})",
                    dominant_baseline="central",
                    fill=INK,
                    font_size=SMALL,
                )
            else:
                _el(
                    group,
                    "text",
                    str(value),
                    class_="value",
                    x=centre,
                    y=y - 4,
                    text_anchor="middle",
                    fill=INK,
                    font_size=SMALL,
                )
        centre = group_x + (slot - group_gap) / 2
        label_y = base + 6
        if rotate_labels:
            _el(
                group,
                "text",
                label,
                class_="label",
                x=centre,
                y=label_y,
                transform=f"rotate(-90 {_fmt(centre)} {_fmt(label_y)})",
                text_anchor="end",
                dominant_baseline="central",
                fill=INK,
                font_size=SMALL,
            )
        else:
            _el(
                group,
                "text",
                label,
                class_="label",
                x=centre,
                y=label_y + SMALL,
                text_anchor="middle",
                fill=INK,
                font_size=SMALL,
            )
    _el(root, "line", class_="axis", x1=left, y1=base, x2=width - right, y2=base, stroke=INK)
    return replace(chart, svg=_serialize(root))


def hbar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, int]],
    category_header: str = "",
    value_header: str = "件数",
    unit: str = "件",
    tone: str = "blue",
    note: str = "",
) -> Chart:
    """Horizontal bars, one per row (category, township, ageing bucket), label on the left and
    the value written after the bar; long labels are shortened (the full text is in <title>)."""
    colour = TONES[tone]
    chart = Chart(
        chart_id,
        title,
        description,
        "",
        (category_header, f"{value_header}（{unit}）"),
        tuple((label, (value,)) for label, value in rows),
        note,
    )
    if chart.empty:
        return replace(chart, svg=_empty_svg(chart_id, title, description))

    row_h, bar_h, pad = 26.0, 16.0, 8.0
    label_room = min(96.0, max(text_width(label, FONT) for label, _ in rows))
    top_value = max(value for _, value in rows)
    value_room = text_width(str(top_value), FONT) + 6
    left = pad + label_room + 8
    plot_w = WIDTH - left - pad - value_room
    height = pad * 2 + row_h * len(rows)

    root = _root(chart_id, title, description, WIDTH, height)
    bars = _el(root, "g", class_="bars")
    for i, (label, value) in enumerate(rows):
        y = pad + row_h * i
        group = _el(bars, "g", class_="group")
        shown = shorten(label, FONT, label_room)
        label_el = _el(
            group,
            "text",
            shown,
            class_="label",
            x=left - 8,
            y=y + row_h / 2 + 4,
            text_anchor="end",
            fill=INK,
        )
        if shown != label:
            _el(label_el, "title", label)
        length = plot_w * value / top_value
        rect = _el(
            group,
            "rect",
            class_="bar",
            x=left,
            y=y + (row_h - bar_h) / 2,
            width=length,
            height=bar_h,
            fill=colour,
        )
        _el(rect, "title", f"{label}：{value}{unit}")
        _el(
            group,
            "text",
            str(value),
            class_="value",
            x=left + length + 4,
            y=y + row_h / 2 + 4,
            fill=INK,
        )
    _el(root, "line", class_="axis", x1=left, y1=pad, x2=left, y2=height - pad, stroke=INK)
    return replace(chart, svg=_serialize(root))
