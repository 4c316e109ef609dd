"""Reading a register extract, row by row, as the policy's ``registry:`` section describes it.

The file is read as bytes, one physical line at a time, so a file of any size streams
through and every problem is named by the line it is on (the header is line 1) and the
column's header name. Text is UTF-8 with or without a byte order mark, with CRLF or LF
line ends; a byte that is not UTF-8 is named by its line and column. Nothing here touches
the database: :mod:`workflow.registerimport` writes what :func:`read_entries` yields, and
only if :class:`Problems` stayed empty.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, NamedTuple

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

#: How many problems a refusal lists; the rest are counted.
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


class Reader:
    """Bytes in, decoded lines out, counting the bytes read and hashing them."""

    def __init__(self, stream: IO[bytes], progress: Callable[[int], None] | None) -> None:
        self.stream = stream
        self.progress = progress
        self.sha256 = hashlib.sha256()
        self.first = True

    def __iter__(self) -> Iterator[str]:
        for raw in self.stream:
            self.sha256.update(raw)
            if self.progress is not None:
                self.progress(len(raw))
            if self.first:
                self.first = False
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            # surrogateescape keeps a byte that is not UTF-8 as a lone surrogate, found
            # again in the field it landed in, so the problem names its column
            yield raw.decode("utf-8", "surrogateescape")


def _bad_byte(text: str) -> int | None:
    for ch in text:
        if "\udc80" <= ch <= "\udcff":
            return ord(ch) - 0xDC00
    return None


def _check_text(text: str, row: int, column: str, problems: Problems) -> bool:
    byte = _bad_byte(text)
    if byte is not None:
        problems.add(
            row,
            column,
            f"not UTF-8 text (byte 0x{byte:02X}); save the file as UTF-8",
            f"nav UTF-8 teksts (baits 0x{byte:02X}); saglabājiet failu UTF-8 kodējumā",
        )
        return False
    if "\x00" in text:
        problems.add(row, column, "contains a NUL character", "satur NUL rakstzīmi")
        return False
    return True


def _header(
    row: int, cells: list[str], spec: RegistryPolicy, problems: Problems
) -> dict[str, int] | None:
    """Our field → its index in the row, or None (problems noted) if the header is unusable."""
    names = [nfc(c.strip()) for c in cells]
    for i, n in enumerate(names):
        if not _check_text(n, row, f"column {i + 1}", problems):
            return None
    where: dict[str, int] = {}
    for ours, theirs in spec.columns.used().items():
        found = [i for i, n in enumerate(names) if n == nfc(theirs)]
        if not found:
            sep = spec.delimiter
            problems.add(
                row,
                theirs,
                f"column missing from the header (the header has: {', '.join(names)}; "
                f"columns are separated by {sep!r})",
                f"kolonnas nav galvenē (galvenē ir: {', '.join(names)}; kolonnas atdala {sep!r})",
            )
        elif len(found) > 1:
            problems.add(
                row, theirs, "column appears twice in the header", "kolonna galvenē ir divreiz"
            )
        else:
            where[ours] = found[0]
    return None if problems else where


def _cell(values: dict[str, str], key: str) -> str | None:
    v = values.get(key)
    return v if v else None


def _shown(fmt: str) -> str:
    """A date format as a person reads it (``%Y-%m-%d``: ``YYYY-MM-DD``)."""
    for code, word in (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD"), ("%y", "YY")):
        fmt = fmt.replace(code, word)
    return fmt


def _entry(
    row: int,
    cells: list[str],
    where: dict[str, int],
    width: int,
    spec: RegistryPolicy,
    problems: Problems,
) -> Entry | None:
    """The row (of a file whose header has ``width`` columns) as an entry, or None with
    every problem of the row noted."""
    before = problems.total
    heads = spec.columns.used()
    if len(cells) > width:
        problems.add(
            row,
            EXTRA,
            f"the row has {len(cells)} fields, the header {width} "
            f"(a {spec.delimiter!r} inside a name must be within quotes)",
            f"rindā ir {len(cells)} lauki, galvenē {width} "
            f"({spec.delimiter!r} nosaukumā jāliek pēdiņās)",
        )
    values: dict[str, str] = {}
    for ours, i in where.items():
        col = heads[ours]
        if i >= len(cells):
            problems.add(
                row,
                col,
                f"missing: the row has {len(cells)} fields, the header {width}",
                f"trūkst: rindā ir {len(cells)} lauki, galvenē {width}",
            )
            continue
        text = nfc(cells[i].strip())
        if not _check_text(text, row, col, problems):
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


class Extract:
    """A register extract being read: iterate it for every valid row, in file order.

    Every problem (a duplicate register number, a bad date, a missing column …) goes to
    ``problems``; the caller writes nothing unless it is empty once the iteration ends.
    ``sha256`` is the file's digest once it has been read to the end.
    """

    def __init__(
        self,
        stream: IO[bytes],
        spec: RegistryPolicy,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.spec = spec
        self.problems = Problems()
        self._reader = Reader(stream, progress)

    def __iter__(self) -> Iterator[Entry]:
        return _rows(self._reader, self.spec, self.problems)

    @property
    def sha256(self) -> str:
        """The SHA-256 of the bytes read so far (the whole file, after the iteration)."""
        return self._reader.sha256.hexdigest()


def _rows(reader: Reader, spec: RegistryPolicy, problems: Problems) -> Iterator[Entry]:
    rows = csv.reader(reader, delimiter=spec.delimiter, quotechar='"', strict=True)
    heads = spec.columns.used()
    where: dict[str, int] | None = None
    width = 0
    seen: dict[str, int] = {}
    data_rows = 0
    line = 0  # the last physical line the csv reader consumed
    try:
        for cells in rows:
            row, line = line + 1, rows.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # a blank line
            if where is None:
                where = _header(row, cells, spec, problems)
                if where is None:
                    return
                width = len(cells)
                continue
            data_rows += 1
            entry = _entry(row, cells, where, width, spec, problems)
            if entry is None:
                continue
            first = seen.setdefault(entry.regcode, row)
            if first != row:
                problems.add(
                    row,
                    heads["regcode"],
                    f"duplicate: register number {entry.regcode} is also on line {first}",
                    f"atkārtojas: reģistrācijas numurs {entry.regcode} ir arī {first}. rindā",
                )
                continue
            yield entry
    except csv.Error as exc:
        problems.add(
            line + 1,
            FILE,
            f"cannot be read as {spec.delimiter!r}-separated text: {exc}",
            f"nav nolasāms kā ar {spec.delimiter!r} atdalīts teksts: {exc}",
        )
        return
    if where is None and not problems:
        problems.add(
            1,
            FILE,
            "the file is empty: expected a header line naming the columns "
            + ", ".join(heads.values()),
            "fails ir tukšs: gaidīta galvenes rinda ar kolonnām " + ", ".join(heads.values()),
        )
    elif where is not None and data_rows == 0 and not problems:
        problems.add(
            line + 1, FILE, "the file has a header but no rows", "failā ir galvene, bet nav rindu"
        )
