"""One row of a register extract checked and turned into an :class:`Entry`, every problem
noted with its line and the column's header name (:mod:`workflow.registerfile` reads the
file and its header; this module judges each row)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from workflow.errors import RegisterFileInvalid, RowError
from workflow.registerspec import (
    ADDRESS_MAX,
    CLOSED_MAX,
    ENTRY_NAME_MAX,
    FORM_CODE_MAX,
    FORM_TEXT_MAX,
    NACE_MAX,
    RegistryPolicy,
    city_of,
    nfc,
)

MAX_LISTED = 200
FILE = "(file)"
#: Where a field beyond the header's last column is named.
EXTRA = "(extra field)"
_LIMITS = {
    "name": ENTRY_NAME_MAX,
    "legal_form": FORM_CODE_MAX,
    "legal_form_text": FORM_TEXT_MAX,
    "closed": CLOSED_MAX,
    "address": ADDRESS_MAX,
    "nace": NACE_MAX,
}
_REQUIRED = ("regcode", "name", "legal_form", "registered")


class Entry(NamedTuple):
    """One organisation as the extract lists it (the order of ``register_entries``' data)."""

    regcode: str
    name: str
    legal_form_code: str
    legal_form_text: str | None
    registered: date
    terminated: date | None
    closed: str | None
    address: str | None
    city: str | None
    nace: str | None


@dataclass
class Problems:
    """The problems found so far: the first :data:`MAX_LISTED` kept, all counted."""

    listed: list[RowError] = field(default_factory=list)
    total: int = 0

    def add(self, row: int, column: str, en: str, lv: str) -> None:
        """Note one problem."""
        self.total += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(RowError(row, column, en, lv))

    def __bool__(self) -> bool:
        return self.total > 0

    def refusal(self) -> RegisterFileInvalid:
        """The error that refuses the file, listing every problem kept."""
        return RegisterFileInvalid(self.listed, self.total)


#: a byte that was not UTF-8 (kept as a lone surrogate by ``surrogateescape``), or NUL
_UNFIT = re.compile("[\udc80-\udcff\x00]")


def check_text(text: str, row: int, column: str, problems: Problems) -> bool:
    """Whether ``text`` is UTF-8 without NUL; if not, the problem is noted."""
    found = _UNFIT.search(text)
    if found is None:
        return True
    if found.group() != "\x00":
        byte = ord(found.group()) - 0xDC00
        problems.add(
            row,
            column,
            f"not UTF-8 text (byte 0x{byte:02X}); save the file as UTF-8",
            f"nav UTF-8 teksts (baits 0x{byte:02X}); saglabājiet failu UTF-8 kodējumā",
        )
        return False
    problems.add(row, column, "contains a NUL character", "satur NUL rakstzīmi")
    return False


def _cell(values: dict[str, str], key: str) -> str | None:
    v = values.get(key)
    return v if v else None


def _shown(fmt: str) -> str:
    """A date format as a person reads it (``%Y-%m-%d``: ``YYYY-MM-DD``)."""
    for code, word in (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD"), ("%y", "YY")):
        fmt = fmt.replace(code, word)
    return fmt


def entry(
    row: int,
    cells: list[str],
    where: dict[str, int],
    header: list[str],
    heads: dict[str, str],
    spec: RegistryPolicy,
    problems: Problems,
    seen: dict[str, int],
) -> Entry | None:
    """The row (of a file with this header; ``where`` and ``heads``: each of our fields'
    index and header name) as an entry, or None with every problem of the row noted."""
    before = problems.total
    width = len(header)
    if len(cells) != width:
        # the fields after a stray or missing delimiter are shifted: one problem, not many
        column = EXTRA if len(cells) > width else header[len(cells)]
        problems.add(
            row,
            column,
            f"the row has {len(cells)} fields, the header {width} "
            f"(a {spec.delimiter!r} inside a name must be within quotes)",
            f"rindā ir {len(cells)} lauki, galvenē {width} "
            f"({spec.delimiter!r} nosaukumā jāliek pēdiņās)",
        )
        return None
    values: dict[str, str] = {}
    for ours, i in where.items():
        col = heads[ours]
        text = nfc(cells[i].strip())
        if not check_text(text, row, col, problems):
            continue
        limit = _LIMITS.get(ours)
        if limit is not None and len(text) > limit:
            problems.add(
                row,
                col,
                f"longer than {limit} characters ({len(text)})",
                f"garāks par {limit} rakstzīmēm ({len(text)})",
            )
            continue
        values[ours] = text
    for ours in _REQUIRED:
        if ours in values and not values[ours]:
            problems.add(row, heads[ours], "must not be empty", "nedrīkst būt tukšs")
    regcode = values.get("regcode", "")
    digits = spec.regcode_digits
    if regcode and not (len(regcode) == digits and regcode.isascii() and regcode.isdigit()):
        problems.add(
            row,
            heads["regcode"],
            f"must be {digits} digits, got {regcode!r} ({len(regcode)} characters)",
            f"jābūt {digits} cipariem, ir {regcode!r} ({len(regcode)} rakstzīmes)",
        )
    elif regcode and (first := seen.setdefault(regcode, row)) != row:
        problems.add(
            row,
            heads["regcode"],
            f"duplicate: register number {regcode} is also on line {first}",
            f"atkārtojas: reģistrācijas numurs {regcode} ir arī {first}. rindā",
        )
    dates: dict[str, date | None] = {}
    for ours in ("registered", "terminated"):
        text = values.get(ours, "")
        if not text:
            dates[ours] = None
            continue
        dates[ours] = spec.parse_date(text)
        if dates[ours] is None:
            shown = " or ".join(_shown(f) for f in spec.date_formats)
            problems.add(
                row,
                heads[ours],
                f"not a date: {text!r} (expected {shown})",
                f"nav datums: {text!r} (gaidīts {shown})",
            )
    registered = dates["registered"]
    if problems.total != before or registered is None:
        return None
    address = _cell(values, "address")
    return Entry(
        regcode=regcode,
        name=values["name"],
        legal_form_code=values["legal_form"],
        legal_form_text=_cell(values, "legal_form_text"),
        registered=registered,
        terminated=dates["terminated"],
        closed=_cell(values, "closed"),
        address=address,
        city=city_of(address),
        nace=_cell(values, "nace"),
    )
