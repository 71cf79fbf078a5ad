"""督办通知书 as .docx in official-document layout (GB/T 9704-2012: A4, 仿宋 三号 body)."""

import io
from datetime import date

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from sqlmodel import Session

from app.core import clock
from app.core.officedoc import HEADING_FONT, TITLE_FONT, add_paragraph, official_document
from app.supervision.models import SupervisionNotice
from app.supervision.notices import notice_tickets
from app.unit.models import Team, Unit

TITLE = "督办通知书"
_NUMERALS = "一二三四五六七八九十"


def chinese_date(day: date) -> str:
    """2026年11月22日 (Arabic numerals, as GB/T 9704-2012 prescribes for 成文日期)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def notice_docx(session: Session, notice: SupervisionNotice) -> bytes:
    """The notice as a Word document; drafts print with 〔草稿〕 in place of the number."""
    team = session.get(Team, notice.team_id)
    unit = session.get(Unit, notice.unit_id)
    document = official_document()

    add_paragraph(
        document,
        TITLE,
        font=TITLE_FONT,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    ).runs[0].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    add_paragraph(document, "", indent=False)
    add_paragraph(
        document,
        notice.number or "〔草稿〕",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    add_paragraph(document, "", indent=False)
    add_paragraph(document, f"{unit.name if unit else ''}：", indent=False)

    tickets = notice_tickets(session, notice=notice)
    about = f"（涉及工单：{'、'.join(t.number for t in tickets)}）" if tickets else ""
    add_paragraph(
        document,
        f"经监督检查，发现你单位存在以下问题{about}，现予督办，请认真组织整改。",
    )
    due = clock.to_local(notice.due_at).date() if notice.due_at else None
    deadline = f"请于收到本通知书之日起 {notice.deadline_days} 个工作日内完成整改"
    if due is not None:
        deadline += f"（{chinese_date(due)}前）"
    deadline += "，并将整改情况书面报告及相关佐证材料报送我单位。"
    sections = [
        ("存在的问题", _lines(notice.problems)),
        ("整改要求", _lines(notice.requirements)),
        ("整改时限", [deadline]),
    ]
    for index, (heading, lines) in enumerate(sections):
        add_paragraph(document, f"{_NUMERALS[index]}、{heading}", font=HEADING_FONT)
        for line in lines:
            add_paragraph(document, line)

    add_paragraph(document, "", indent=False)
    issued = clock.to_local(notice.issued_at).date() if notice.issued_at else clock.today_local()
    signature = add_paragraph(
        document, team.name if team else "", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False
    )
    signature.paragraph_format.right_indent = Pt(16 * 4)
    dated = add_paragraph(
        document, chinese_date(issued), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False
    )
    dated.paragraph_format.right_indent = Pt(16 * 4)
    add_paragraph(document, "", indent=False)
    add_paragraph(
        document,
        "（签收后请按时报送整改报告）",
        size=14,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        indent=False,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def notice_filename(notice: SupervisionNotice) -> str:
    return f"督办通知书-{notice.number or f'草稿{notice.id}'}.docx"
