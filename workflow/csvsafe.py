"""Cells that a spreadsheet would run as a formula are written as text in every CSV export.

Excel, LibreOffice and Google Sheets read a cell that begins with ``=``, ``+``, ``-`` or
``@`` (and, in some versions, a tab or a carriage return before one) as a formula: a
transition comment ``=HYPERLINK("http://…","click")`` in an audit export would become a
live link, or worse, in the auditor's spreadsheet. The usual remedy (OWASP's "CSV
injection") is a leading ``'``, which spreadsheets show as text and do not display. Every
CSV this program writes goes through :func:`cell` or :class:`SafeWriter`.

The neutralised text is no longer the stored text byte for byte: a CSV export is for
reading; the JSON Lines export carries the exact values the hash chain covers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import IO, Any

#: The first characters that make a spreadsheet evaluate a cell.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it: text that would start a formula gets a ``'``
    in front; anything else (numbers, None, other text) is left as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """``csv.DictWriter`` whose every cell goes through :func:`cell` (headers included)."""

    def __init__(self, out: IO[str], fieldnames: Iterable[str]) -> None:
        self._fields = [str(f) for f in fieldnames]
        self._writer = csv.DictWriter(out, fieldnames=self._fields)

    def writeheader(self) -> None:
        """The header row (the field names, neutralised like any cell)."""
        self._writer.writerow({f: cell(f) for f in self._fields})

    def writerow(self, row: Mapping[str, Any]) -> None:
        """One row, every cell neutralised."""
        self._writer.writerow({k: cell(v) for k, v in row.items()})
