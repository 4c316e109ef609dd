"""What a received file is, decided by its content, never by its name.

PDF, PNG and JPEG by their signatures; the office formats are ZIP archives, told apart by
what the archive declares: OpenDocument by its ``mimetype`` entry, Office Open XML by the
main part's content type in ``[Content_Types].xml``. Only those small entries are read
(at most :data:`MAX_ENTRY` bytes each), so a ZIP bomb costs nothing. A macro-enabled
workbook, an executable with a ``.pdf`` name or any other file is not a document here.

(Signature libraries such as ``filetype`` guess OOXML from the first bytes only, which
fails whenever ``[Content_Types].xml`` is not the archive's first entry; hence this.)
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_ENTRY = 64 * 1024


@dataclass(frozen=True, slots=True)
class FileType:
    """An accepted type: its media type and a short name."""

    media_type: str
    name: str


PDF = FileType("application/pdf", "PDF")
PNG = FileType("image/png", "PNG")
JPEG = FileType("image/jpeg", "JPEG")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")
ODT = FileType("application/vnd.oasis.opendocument.text", "ODT")
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", "ODS")
ACCEPTED = (PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG)
NAMES = ", ".join(t.name for t in ACCEPTED)

#: The main part's content type in ``[Content_Types].xml`` -> the format.
_OOXML_MAIN = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_ODF = {ODT.media_type.encode(): ODT, ODS.media_type.encode(): ODS}


def detect(path: Path) -> FileType | None:
    """The accepted type of the file at ``path``, or None."""
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zipped(path)
    return None


def _entry(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """A small entry's bytes (None: absent, too large or unreadable)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_ENTRY:
        return None
    try:
        with archive.open(info) as f:
            return f.read(MAX_ENTRY + 1)[:MAX_ENTRY]
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
        return None


def _zipped(path: Path) -> FileType | None:
    """OpenDocument or Office Open XML, by what the archive declares."""
    try:
        with zipfile.ZipFile(path) as archive:
            mimetype = _entry(archive, "mimetype")
            if mimetype is not None:
                return _ODF.get(mimetype.strip())
            types = _entry(archive, "[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if types is None:
        return None
    found = {t for marker, t in _OOXML_MAIN.items() if b'ContentType="' + marker + b'"' in types}
    return found.pop() if len(found) == 1 else None
