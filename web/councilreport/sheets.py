"""The council report as a spreadsheet (one sheet of figures, one per list) and as CSV.

Spreadsheet cells hold numbers and dates, never their text: a reader can sum the funds or
sort by a date. A CSV file holds one list; it goes through :mod:`workflow.csvsafe`, so no
organisation's name can start a formula in the reader's spreadsheet.
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from web.councilreport.tables import Table
from web.councilreport.words import Kind
from workflow.csvsafe import SafeWriter

FORMATS: dict[Kind, str] = {
    "int": "0",
    "eur": "#,##0.00",
    "hours": "0.00",
    "days": "0.0",
    "date": "yyyy-mm-dd",
    "text": "General",
}
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    return " ".join(title.translate(_BAD_SHEET_CHARS).split())[:31].strip()


def xlsx(all_tables: list[Table]) -> bytes:
    """A workbook with a sheet per table, typed cells and a bold, frozen header row."""
    book = Workbook()
    book.remove(book.active)  # the default sheet: ours follow
    for t in all_tables:
        sheet = book.create_sheet(_sheet_title(t.title))
        sheet.append([c.title for c in t.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        widths = [len(c.title) for c in t.columns]
        for r, row in enumerate(t.rows):
            sheet.append(list(row))
            for c, value in enumerate(row):
                cell = sheet.cell(row=r + 2, column=c + 1)
                cell.number_format = FORMATS[t.kind(r, c)]
                if isinstance(value, str) and value.startswith("="):
                    # openpyxl stores text beginning with "=" as a formula: an
                    # organisation's name must stay its name, shown as typed
                    cell.data_type = "s"
                    cell.quotePrefix = True
                shown = value.isoformat() if isinstance(value, date) else str(value)
                widths[c] = max(widths[c], len(shown))
        for c, width in enumerate(widths):
            sheet.column_dimensions[get_column_letter(c + 1)].width = min(max(width, 8) + 2, 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(t: Table) -> str:
    """One table as CSV: a header of column titles, values as a program reads them
    (amounts ``1234.50``, dates ``2023-10-19``, empty for none)."""
    out = io.StringIO()
    titles = [c.title for c in t.columns]
    writer = SafeWriter(out, titles)
    writer.writeheader()
    for row in t.rows:
        writer.writerow(
            {
                title: "" if v is None else v.isoformat() if isinstance(v, date) else v
                for title, v in zip(titles, row, strict=True)
            }
        )
    return out.getvalue()
