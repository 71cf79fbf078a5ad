"""The notice as .docx: opens with python-docx, carries the number, addressee and problems."""

import io
import zipfile

from docx import Document

from app.core import clock
from app.supervision import documents
from tests.supervision.factories import MONDAY, draft, issued


def _text(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def test_issued_notice_docx_in_official_layout(session, world):
    with clock.frozen(MONDAY):
        notice = issued(session, world)
    data = documents.notice_docx(session, notice)
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210
    assert round(section.page_height.mm) == 297
    lines = _text(data)
    assert lines[0] == "督办通知书"
    assert notice.number in lines
    assert f"{world.village.name}：" in lines
    assert "1. 村务公开栏未按时更新" in lines
    assert "2. 低保评议程序不规范" in lines
    assert {"一、存在的问题", "二、整改要求", "三、整改时限"} <= set(lines)
    assert any("5 个工作日" in line and "2026年11月9日前" in line for line in lines)
    assert world.township_team.name in lines
    assert "2026年11月2日" in lines
    assert documents.notice_filename(notice) == f"督办通知书-{notice.number}.docx"


def test_draft_docx_is_marked_as_draft(session, world):
    notice = draft(session, world)
    assert "〔草稿〕" in _text(documents.notice_docx(session, notice))


def test_the_notice_names_fallbacks_for_the_official_fonts(session, world):
    """Word on a PC without 方正小标宋 draws the title in 黑体 and the body in 仿宋."""
    data = documents.notice_docx(session, draft(session, world))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        fonts = package.read("word/fontTable.xml").decode()
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="黑体"/>' in fonts
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts
