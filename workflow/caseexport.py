"""The filtered, sorted case list as CSV and as a spreadsheet.

Both hold the rows :func:`workflow.caselist.all_rows` gives, in its order, with the
column titles in the reader's language. The CSV goes through :mod:`workflow.csvsafe` (a
name cannot start a formula); the spreadsheet holds typed cells: days as dates, numbers
as numbers, so a coordinator can sort and sum them, and text beginning with ``=`` stays
text.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from workflow.caselist import CaseRow
from workflow.csvsafe import SafeWriter
from workflow.runtime import local_day

#: (key, English title, Latvian title)
COLUMNS = (
    ("id", "Case", "Lieta"),
    ("organisation", "Organisation", "Organizācija"),
    ("reg_no", "Reg. no.", "Reģ. nr."),
    ("cycle", "Cycle", "Cikls"),
    ("state", "State", "Stāvoklis"),
    ("since", "Since", "Kopš"),
    ("mentor", "Mentor", "Mentors"),
    ("days_over", "Days overdue", "Dienas pāri termiņam"),
    ("due_on", "Next due", "Nākamais termiņš"),
)
DATE_FORMAT = "yyyy-mm-dd"


def values(row: CaseRow, lang: str) -> list[Any]:
    """One row's cells, typed: ints, dates, text (None for nothing)."""
    since: datetime = row.state_since
    return [
        row.id,
        row.organisation,
        row.reg_no,
        row.cycle,
        row.state_label_lv if lang == "lv" else row.state_label_en,
        local_day(since),
        row.mentor,
        row.days_over,
        row.due_on,
    ]


def titles(lang: str) -> list[str]:
    """The column titles in ``lang``."""
    return [lv if lang == "lv" else en for _k, en, lv in COLUMNS]


def csv_text(rows: list[CaseRow], lang: str) -> str:
    """CSV with a header row; dates ISO 8601, nothing as an empty cell."""
    out = io.StringIO()
    heads = titles(lang)
    writer = SafeWriter(out, heads)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                h: "" if v is None else v.isoformat() if isinstance(v, date) else v
                for h, v in zip(heads, values(row, lang), strict=True)
            }
        )
    return out.getvalue()


def xlsx_bytes(rows: list[CaseRow], lang: str) -> bytes:
    """One sheet, a bold frozen header, typed cells."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Lietas" if lang == "lv" else "Cases"
    heads = titles(lang)
    sheet.append(heads)
    for c in sheet[1]:
        c.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [len(h) for h in heads]
    for r, row in enumerate(rows, start=2):
        cells = values(row, lang)
        sheet.append(cells)
        for c, value in enumerate(cells, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # openpyxl would store it as a formula
                cell.quotePrefix = True
            widths[c - 1] = max(widths[c - 1], len(str(value or "")))
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = min(width + 2, 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
