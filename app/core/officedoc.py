"""Word (.docx) building blocks in the official-document style (GB/T 9704-2012): 仿宋 三号
body on a fixed 28 pt line, first-line indent of two characters, Chinese fonts set properly."""

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
# What Word substitutes on a PC without the 公文 fonts (most PCs lack 方正小标宋).
FONT_FALLBACKS = {TITLE_FONT: "黑体", BODY_FONT: "仿宋"}


def official_document() -> DocxDocument:
    """An empty A4 document with the standard's margins (top 37, bottom 35, left 28, right 26
    mm) and the fallbacks of its fonts declared."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _declare_fallbacks(document)
    return document


def _declare_fallbacks(document: DocxDocument) -> None:
    """Name 黑体 / 仿宋 as the alternates of the 公文 fonts in the font table, so Word on a PC
    without 方正小标宋 or 仿宋_GB2312 substitutes them instead of a Latin default."""
    entries = "".join(
        f'<w:font w:name="{font}"><w:altName w:val="{alternate}"/>'
        '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
        for font, alternate in FONT_FALLBACKS.items()
    )
    for relationship in document.part.rels.values():
        if relationship.reltype == RT.FONT_TABLE:
            part = relationship.target_part
            part._blob = part.blob.replace(b"</w:fonts>", entries.encode() + b"</w:fonts>")


def set_font(run: Run, font: str) -> None:
    run.font.name = font
    # python-docx sets only the Latin slot; Chinese text is drawn with the East Asian one.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def add_run(paragraph: Paragraph, text: str, *, font: str, size: float, bold: bool = False) -> Run:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    set_font(run, font)
    return run


def add_paragraph(
    document: DocxDocument,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = 16,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = True,
    bold: bool = False,
) -> Paragraph:
    """One paragraph of body text (三号 = 16 pt) on the standard's fixed line spacing."""
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28)  # 22 lines a page at 三号, the standard's fixed spacing
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    add_run(paragraph, text, font=font, size=size, bold=bold)
    return paragraph
