"""The council report in files: HTML, PDF, xlsx and CSV, in Latvian or English.

The figures and lists come from :func:`workflow.councilreport.council_report` (a read
model); this package only words and draws them. The web page, the API and the command
``inkubators report cycle`` all call :func:`render`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from web.councilreport import document, sheets
from web.councilreport.tables import LISTS, tables
from web.councilreport.words import LANGS, Lang, Words
from workflow.councilreport import CouncilReport
from workflow.rules import Rules

Format = Literal["pdf", "xlsx", "html", "csv"]
FORMATS: tuple[Format, ...] = ("pdf", "xlsx", "html", "csv")
MEDIA: dict[Format, str] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
    "csv": "text/csv",
}


@dataclass(frozen=True)
class Rendered:
    """A report file: its bytes, media type and a file name to save it under."""

    content: bytes
    media: str
    filename: str


def render(
    report: CouncilReport,
    rules: Rules,
    fmt: Format,
    lang: Lang = "lv",
    csv_list: str = "organisations",
) -> Rendered:
    """The report as a file; ``csv_list`` picks the list a CSV file holds (:data:`LISTS`)."""
    w = Words(lang, rules)
    name = f"council-report-cycle-{report.cycle_id}-{report.as_of.isoformat()}-{lang}"
    if fmt == "pdf":
        content = document.pdf(report, w)
    elif fmt == "html":
        content = document.html(report, w).encode()
    elif fmt == "xlsx":
        content = sheets.xlsx(tables(report, w))
    else:
        table = next(t for t in tables(report, w) if t.name == csv_list)
        content = sheets.csv_text(table).encode()
        name += f"-{csv_list}"
    return Rendered(content, MEDIA[fmt], f"{name}.{fmt}")


__all__ = ["FORMATS", "LANGS", "LISTS", "MEDIA", "Format", "Lang", "Rendered", "render"]
