"""Server-side SVG flowcharts of an item's steps: text stays text, CJK wraps, prints and scales."""

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from app.powerlist.specs import StepKind, StepSpec, format_time_limit

WIDTH = 600
MARGIN = 16
FONT_FAMILY = (
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Hiragino Sans GB',"
    "'Microsoft YaHei','WenQuanYi Micro Hei',sans-serif"
)

TITLE_SIZE = 24
NAME_SIZE = 22
META_SIZE = 18
NOTE_SIZE = 16
LABEL_SIZE = 16

GAP = 40  # vertical space between shapes; holds the arrow and its 通过 label
PAD_X = 14
PAD_Y = 12
HEX_INDENT = 26
BADGE_R = 14
LANE_STEP = 13

INK = "#1f2933"
MUTED = "#52606d"
ARROW = "#3e4c59"
TASK_FILL, TASK_STROKE = "#eef4fb", "#2f5d8a"
DECISION_FILL, DECISION_STROKE = "#fff5e0", "#a86b00"
TERMINAL_FILL, TERMINAL_STROKE = "#e7f5ea", "#2e7d32"
REJECT_FILL, REJECT_STROKE = "#fdecea", "#b3261e"

# A line may not start with these (Chinese line-breaking rules); they stay on the line before.
_NO_LINE_START = set("，。、；：？！）》」』】〕…%,.;:?!)]}·")


def _advance(char: str) -> float:
    """Width in em: wide (CJK, fullwidth) characters are 1 em, everything else about 0.55 em."""
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.55


def text_width(text: str, size: float) -> float:
    return sum(_advance(c) for c in text) * size


def _tokens(text: str) -> list[str]:
    """Break opportunities: every wide character alone, ASCII words kept whole."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if _advance(char) < 1 and not char.isspace():
            word += char
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(char)
    if word:
        tokens.append(word)
    return tokens


def wrap(text: str, width: float, size: float, *, max_lines: int = 4) -> list[str]:
    """Greedy line breaking by measured width; the last kept line ends in … when text is cut."""
    lines: list[str] = []
    current = ""
    for token in _tokens(" ".join(text.split())):
        if current and text_width(current + token, size) > width:
            if token[0] in _NO_LINE_START:
                current += token  # hang the punctuation rather than start a line with it
                continue
            if token.isspace():
                lines.append(current)
                current = ""
                continue
            lines.append(current)
            current = ""
        if not current and text_width(token, size) > width:
            # An over-long ASCII run (a URL, a number) is split by character.
            for char in token:
                if current and text_width(current + char, size) > width:
                    lines.append(current)
                    current = ""
                current += char
            continue
        current += token
    if current.strip():
        lines.append(current)
    lines = [line.strip() for line in lines if line.strip()]
    if (
        len(lines) >= 2
        and len(lines[-1]) == 1
        and len(lines[-2]) > 3
        and lines[-2][-1] not in _NO_LINE_START
    ):
        # Avoid a lone character on the last line (a widow reads as a typo in Chinese).
        lines[-2], lines[-1] = lines[-2][:-1], lines[-2][-1] + lines[-1]
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines or [""]


@dataclass
class _TextBlock:
    lines: list[str]
    size: float
    line_height: float
    bold: bool = False
    fill: str = INK

    @property
    def height(self) -> float:
        return len(self.lines) * self.line_height


@dataclass
class _Node:
    kind: str  # "terminal", "task", "decision", "reject_end"
    blocks: list[_TextBlock]
    width: float
    cx: float
    top: float = 0
    height: float = 0
    number: int | None = None
    fill: str = TASK_FILL
    stroke: str = TASK_STROKE
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def cy(self) -> float:
        return self.top + self.height / 2

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.cx + self.width / 2


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text_svg(blocks: Sequence[_TextBlock], cx: float, top: float, gap: float = 4) -> list[str]:
    out: list[str] = []
    y = top
    for index, block in enumerate(blocks):
        if index:
            y += gap
        weight = ' font-weight="bold"' if block.bold else ""
        spans = []
        for line in block.lines:
            # Baseline sits where the em box is vertically centred in the line box.
            baseline = y + (block.line_height - block.size) / 2 + block.size * 0.88
            spans.append(f'<tspan x="{_fmt(cx)}" y="{_fmt(baseline)}">{escape(line)}</tspan>')
            y += block.line_height
        out.append(
            f'<text text-anchor="middle" font-size="{_fmt(block.size)}"{weight} '
            f'fill="{block.fill}">{"".join(spans)}</text>'
        )
    return out


def _blocks_height(blocks: Sequence[_TextBlock], gap: float = 4) -> float:
    return sum(b.height for b in blocks) + gap * (len(blocks) - 1)


def _step_blocks(step: StepSpec, inner_width: float) -> list[_TextBlock]:
    blocks = [_TextBlock(wrap(step.name, inner_width, NAME_SIZE), NAME_SIZE, 29, bold=True)]
    meta = wrap(step.actor, inner_width, META_SIZE, max_lines=3)
    limit = format_time_limit(step.time_limit, step.time_unit)
    if limit:
        # The time limit is never split across lines: "5 个工作" / "日" reads badly.
        joined = f"{meta[-1]} · {limit}"
        if text_width(joined, META_SIZE) <= inner_width:
            meta[-1] = joined
        else:
            meta.append(limit)
    blocks.append(_TextBlock(meta, META_SIZE, 24, fill=MUTED))
    if step.disclosure:
        note = wrap(f"公开：{step.disclosure}", inner_width, NOTE_SIZE, max_lines=2)
        blocks.append(_TextBlock(note, NOTE_SIZE, 21, fill=TASK_STROKE))
    return blocks


def _terminal(label: str, cx: float, *, reject: bool = False, max_width: float = 200) -> _Node:
    size = LABEL_SIZE if reject else META_SIZE
    inner = max_width - 2 * PAD_X
    head, bracket, tail = label.partition("（")
    if text_width(label, size) > inner and bracket:
        lines = [head, bracket + tail]  # 结束 / （不予办理）: break before the bracket
    else:
        lines = wrap(label, inner, size, max_lines=2)
    width = max(text_width(line, size) for line in lines) + 2 * PAD_X
    block = _TextBlock(lines, size, size + 6, bold=not reject, fill=INK)
    node = _Node("terminal", [block], max(width, 96), cx)
    node.height = block.height + 2 * 9
    if reject:
        node.kind, node.fill, node.stroke = "reject_end", REJECT_FILL, REJECT_STROKE
    else:
        node.fill, node.stroke = TERMINAL_FILL, TERMINAL_STROKE
    return node


def _assign_lanes(loops: Sequence[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Inner (shorter) loops get lanes nearer the boxes so nested loops never cross."""
    lanes: dict[tuple[int, int], int] = {}
    for loop in sorted(loops, key=lambda lp: (lp[1] - lp[0], lp[1])):
        used = {
            lane for other, lane in lanes.items() if not (other[1] < loop[0] or loop[1] < other[0])
        }
        lane = 0
        while lane in used:
            lane += 1
        lanes[loop] = lane
    return lanes


def _uid(name: str, steps: Sequence[StepSpec], time_limit_text: str) -> str:
    payload = name + time_limit_text + "".join(s.model_dump_json() for s in steps)
    return "fc" + hashlib.sha1(payload.encode()).hexdigest()[:10]


def describe(name: str, steps: Sequence[StepSpec]) -> str:
    """Plain-text reading of the chart for screen readers (the SVG's <desc>)."""
    parts = ["开始"]
    for number, step in enumerate(steps, start=1):
        limit = format_time_limit(step.time_limit, step.time_unit)
        detail = "，".join(p for p in (step.actor, limit) if p)
        text = f"第{number}步 {step.name}（{detail}）"
        if step.kind == StepKind.DECISION:
            target = f"退回第{step.reject_to}步" if step.reject_to else "结束，不予办理"
            text += f"，{step.reject_label}则{target}"
        parts.append(text)
    parts.append("结束")
    return f"{name}流程：" + " → ".join(parts)


def render_svg(name: str, steps: Sequence[StepSpec], *, time_limit_text: str = "") -> str:
    """A vertical flowchart: 开始, one shape per step (decisions as hexagons), 结束."""
    uid = _uid(name, steps, time_limit_text)
    has_side = any(s.kind == StepKind.DECISION for s in steps)
    # With decisions the main column moves left to free a right-hand side for 不通过 routes.
    if has_side:
        box_left, box_right = MARGIN + 12.0, 440.0
    else:
        box_left, box_right = 64.0, WIDTH - 64.0
    cx = (box_left + box_right) / 2
    box_width = box_right - box_left
    hex_width = box_width - 40

    out: list[str] = []
    y = 18.0
    heading = [_TextBlock(wrap(name, WIDTH - 2 * MARGIN, TITLE_SIZE, max_lines=3), TITLE_SIZE, 32)]
    heading[0].bold = True
    if time_limit_text:
        heading.append(
            _TextBlock(
                wrap(time_limit_text, WIDTH - 2 * MARGIN, META_SIZE, max_lines=2),
                META_SIZE,
                22,
                fill=MUTED,
            )
        )
    out += _text_svg(heading, WIDTH / 2, y)
    y += _blocks_height(heading) + 18

    nodes: list[_Node] = []
    start = _terminal("开始", cx)
    start.top = y
    nodes.append(start)
    y = start.bottom + GAP

    step_nodes: list[_Node] = []
    for number, step in enumerate(steps, start=1):
        if step.kind == StepKind.DECISION:
            blocks = _step_blocks(step, hex_width - 2 * HEX_INDENT - 8)
            node = _Node("decision", blocks, hex_width, cx, number=number)
            node.fill, node.stroke = DECISION_FILL, DECISION_STROKE
            node.height = _blocks_height(blocks) + 2 * PAD_Y + 8
        else:
            blocks = _step_blocks(step, box_width - 2 * PAD_X - 2 * BADGE_R)
            node = _Node("task", blocks, box_width, cx, number=number)
            node.height = _blocks_height(blocks) + 2 * PAD_Y
        node.top = y
        y = node.bottom + GAP
        nodes.append(node)
        step_nodes.append(node)

    end = _terminal("结束", cx)
    end.top = y
    nodes.append(end)
    height = end.bottom + 24

    # 不通过 routes: back up to an earlier step on a lane, or out to a 结束（不予办理） terminal.
    loops = [
        (step.reject_to, number)
        for number, step in enumerate(steps, start=1)
        if step.kind == StepKind.DECISION and step.reject_to is not None
    ]
    lanes = _assign_lanes(loops)
    lane_count = max(lanes.values(), default=-1) + 1
    lane_step = LANE_STEP if lane_count <= 3 else 36 / (lane_count - 1)
    lane_base = 560.0
    side_nodes: list[_Node] = []
    edges: list[str] = []

    def arrow(path: str, *, reject: bool = False) -> str:
        colour = REJECT_STROKE if reject else ARROW
        dash = ' stroke-dasharray="7 4"' if reject else ""
        marker = f"{uid}-reject" if reject else f"{uid}-arrow"
        return (
            f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash} '
            f'marker-end="url(#{marker})"/>'
        )

    for upper, lower in zip(nodes, nodes[1:], strict=False):
        edges.append(arrow(f"M{_fmt(cx)},{_fmt(upper.bottom)} V{_fmt(lower.top - 2)}"))
        if upper.kind == "decision":
            edges += _text_svg(
                [_TextBlock(["通过"], LABEL_SIZE, 20, fill=ARROW)],
                cx + 26,
                upper.bottom + (GAP - 20) / 2,
            )

    for number, step in enumerate(steps, start=1):
        if step.kind != StepKind.DECISION:
            continue
        node = step_nodes[number - 1]
        exit_x = node.right
        label_lines = wrap(step.reject_label, lane_base - exit_x - 14, LABEL_SIZE, max_lines=2)
        label = _TextBlock(label_lines, LABEL_SIZE, 20, fill=REJECT_STROKE)
        label_cx = exit_x + 8 + max(text_width(line, LABEL_SIZE) for line in label_lines) / 2
        edges += _text_svg([label], label_cx, node.cy - label.height - 3)
        if step.reject_to is None:
            side = _terminal(
                "结束（不予办理）", 0, reject=True, max_width=WIDTH - MARGIN - exit_x - 30
            )
            side.cx = WIDTH - MARGIN - side.width / 2
            side.top = node.cy + 16
            side_nodes.append(side)
            edges.append(
                arrow(
                    f"M{_fmt(exit_x)},{_fmt(node.cy)} H{_fmt(side.cx)} V{_fmt(side.top - 2)}",
                    reject=True,
                )
            )
            height = max(height, side.bottom + 24)
            continue
        target = step_nodes[step.reject_to - 1]
        lane_x = lane_base + lanes[(step.reject_to, number)] * lane_step
        if target.kind == "decision":
            # Enter on the upper slanted edge so the target's own 不通过 exit stays free.
            entry_y = target.cy - target.height / 4
            entry_x = target.right - HEX_INDENT / 2
        else:
            entry_y, entry_x = target.cy, target.right
        edges.append(
            arrow(
                f"M{_fmt(exit_x)},{_fmt(node.cy)} H{_fmt(lane_x)} V{_fmt(entry_y)} "
                f"H{_fmt(entry_x + 2)}",
                reject=True,
            )
        )

    for node in [*nodes, *side_nodes]:
        out += _shape_svg(node)
    out += edges

    title_id, desc_id = f"{uid}-title", f"{uid}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_fmt(height)}" '
        f'width="100%" preserveAspectRatio="xMidYMin meet" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family={quoteattr(FONT_FAMILY)}>'
    )
    defs = (
        "<defs>"
        + _marker(f"{uid}-arrow", ARROW)
        + _marker(f"{uid}-reject", REJECT_STROKE)
        + "</defs>"
    )
    return "".join(
        [
            head,
            f'<title id="{title_id}">{escape(name)} 流程图</title>',
            f'<desc id="{desc_id}">{escape(describe(name, steps))}</desc>',
            defs,
            f'<rect width="{WIDTH}" height="{_fmt(height)}" fill="#ffffff"/>',
            *out,
            "</svg>",
        ]
    )


def _marker(marker_id: str, colour: str) -> str:
    return (
        f'<marker id="{marker_id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{colour}"/></marker>'
    )


def _shape_svg(node: _Node) -> list[str]:
    left = node.cx - node.width / 2
    out: list[str] = []
    stroke = f'fill="{node.fill}" stroke="{node.stroke}" stroke-width="2"'
    if node.kind == "decision":
        right, top, bottom = node.right, node.top, node.bottom
        points = [
            (left, node.cy),
            (left + HEX_INDENT, top),
            (right - HEX_INDENT, top),
            (right, node.cy),
            (right - HEX_INDENT, bottom),
            (left + HEX_INDENT, bottom),
        ]
        out.append(
            f'<polygon points="{" ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)}" {stroke}/>'
        )
        text_top = top + PAD_Y + 4
    elif node.kind == "task":
        out.append(
            f'<rect x="{_fmt(left)}" y="{_fmt(node.top)}" width="{_fmt(node.width)}" '
            f'height="{_fmt(node.height)}" rx="8" {stroke}/>'
        )
        text_top = node.top + PAD_Y
    else:
        out.append(
            f'<rect x="{_fmt(left)}" y="{_fmt(node.top)}" width="{_fmt(node.width)}" '
            f'height="{_fmt(node.height)}" rx="{_fmt(min(node.height / 2, 20))}" {stroke}/>'
        )
        text_top = node.top + 9
    out += _text_svg(node.blocks, node.cx + (BADGE_R if node.kind == "task" else 0), text_top)
    if node.number is not None:
        # Step number on the left edge so 退回第 n 步 can be followed on paper.
        badge_x = left + (HEX_INDENT if node.kind == "decision" else 0)
        badge_y = node.cy if node.kind == "task" else node.top
        if node.kind == "task":
            badge_x = left + BADGE_R + 8
        out.append(
            f'<circle cx="{_fmt(badge_x)}" cy="{_fmt(badge_y)}" r="{BADGE_R}" '
            f'fill="#ffffff" stroke="{node.stroke}" stroke-width="2"/>'
        )
        out += _text_svg(
            [_TextBlock([str(node.number)], 15, BADGE_R * 2, bold=True, fill=node.stroke)],
            badge_x,
            badge_y - BADGE_R,
        )
    return out
