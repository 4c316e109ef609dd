"""Reading a register extract, row by row, as the policy's ``registry:`` section describes it.

The file is read as bytes, one physical line at a time, so a file of any size streams
through and every problem is named by the line it is on (the header is line 1) and the
column's header name. Text is UTF-8 with or without a byte order mark, with CRLF or LF
line ends; a byte that is not UTF-8 is named by its line and column. Nothing here touches
the database: :mod:`workflow.registerimport` writes what :class:`Extract` yields, and
only if :class:`Problems` stayed empty.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from typing import IO

from workflow.registerrow import FILE, Entry, Problems, check_text, entry
from workflow.registerspec import RegistryPolicy, nfc


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


def _header(
    row: int, cells: list[str], spec: RegistryPolicy, problems: Problems
) -> dict[str, int] | None:
    """Our field → its index in the row, or None (problems noted) if the header is unusable."""
    names = [nfc(c.strip()) for c in cells]
    for i, n in enumerate(names):
        if not check_text(n, row, f"column {i + 1}", problems):
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
    header: list[str] = []
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
                header = [c.strip() for c in cells]
                continue
            data_rows += 1
            found = entry(row, cells, where, header, heads, spec, problems, seen)
            if found is not None:
                yield found
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
