"""The rectification ledger as .xlsx, in the column layout Chinese offices use for 整改台账."""

import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlmodel import Session, col, select

from app.core import clock
from app.supervision.labels import RECTIFICATION_STATUS_LABELS
from app.supervision.ledger import (
    effective_status,
    load_sources,
    progress_notes_of,
    source_label_detail,
)
from app.supervision.models import Rectification, RectificationNote, RectificationStatus
from app.unit.models import Unit

COLUMNS = (
    "序号",
    "问题来源",
    "问题描述",
    "责任单位",
    "责任人",
    "整改措施",
    "整改时限",
    "整改进展",
    "完成情况",
    "销号情况",
)
WIDTHS = (6, 18, 40, 18, 10, 36, 12, 40, 30, 24)
TITLE = "整改台账"


def _progress(notes: Sequence[RectificationNote]) -> str:
    return "\n".join(f"{clock.to_local(n.at):%Y-%m-%d} {n.body}" for n in notes)


def _completion(entry: Rectification, today: date) -> str:
    status = effective_status(entry, today=today)
    label = RECTIFICATION_STATUS_LABELS[status]
    return f"{label}：{entry.completion}" if entry.completion else label


def _verification(entry: Rectification) -> str:
    if entry.status is RectificationStatus.VERIFIED and entry.verified_at is not None:
        note = f"：{entry.verification_note}" if entry.verification_note else ""
        return f"已销号（{clock.to_local(entry.verified_at):%Y-%m-%d}）{note}"
    if entry.status is RectificationStatus.SUBMITTED:
        return "待验收"
    return "未销号"


def ledger_xlsx(
    session: Session,
    entries: Sequence[Rectification],
    *,
    title: str = TITLE,
    today: date | None = None,
) -> bytes:
    """A title row, the header row (COLUMNS) and one row per entry, ready to print landscape."""
    day = today or clock.today_local()
    unit_ids = {entry.unit_id for entry in entries}
    units = {
        unit.id: unit.name
        for unit in session.exec(select(Unit).where(col(Unit.id).in_(sorted(unit_ids)))).all()
    }
    notes = progress_notes_of(session, entry_ids=[e.id for e in entries if e.id is not None])
    load_sources(session, entries)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = TITLE
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(name="黑体", size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    sheet.append(list(COLUMNS))
    for number, entry in enumerate(entries, start=1):
        sheet.append(
            [
                number,
                source_label_detail(session, entry),
                entry.problem,
                units.get(entry.unit_id, ""),
                entry.responsible_person,
                entry.measures,
                entry.deadline,
                _progress(notes.get(entry.id or 0, [])),
                _completion(entry, day),
                _verification(entry),
            ]
        )
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for cell in row:
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if cell.row == 2:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center")
            elif cell.column == 7:
                cell.number_format = "yyyy-mm-dd"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
