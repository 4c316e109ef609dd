"""Sample files for the document tests: real enough for their formats' signatures and
declarations, small enough to build in memory."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
#: the anti-virus test file every scanner reports (harmless by design)
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

_OOXML = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{ctype}"/></Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def zipped(entries: list[tuple[str, bytes | str]]) -> bytes:
    """A ZIP archive of ``entries`` in the order given."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def ooxml(main: str, part: str = "word/document.xml", types_first: bool = False) -> bytes:
    """An Office Open XML package whose main part has content type ``main``."""
    types = ("[Content_Types].xml", _OOXML.format(part=part, ctype=main))
    body = (part, "<document/>")
    return zipped([types, body] if types_first else [body, types])


def odf(mimetype: str) -> bytes:
    """An OpenDocument package declaring ``mimetype``."""
    return zipped([("mimetype", mimetype), ("content.xml", "<office:document-content/>")])


DOCX = ooxml(DOCX_MAIN)
XLSX = ooxml(XLSX_MAIN, "xl/workbook.xml", types_first=True)
XLSM = ooxml(XLSM_MAIN, "xl/workbook.xml")
ODT = odf("application/vnd.oasis.opendocument.text")
ODS = odf("application/vnd.oasis.opendocument.spreadsheet")
PLAIN_ZIP = zipped([("readme.txt", "hello")])
