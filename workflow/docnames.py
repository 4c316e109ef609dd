"""A document's original file name, made safe to keep and to send back.

Only the last path component is kept (``../../etc/passwd.pdf`` is ``passwd.pdf``,
``C:\\x\\a.pdf`` is ``a.pdf``); control characters become spaces (a CR or LF would
split a header) and format characters are dropped (a right-to-left override disguises
``exe.pdf``). Quotes and Latvian letters stay (normalised to NFC): the download header is
written by werkzeug, which quotes the name and adds ``filename*=UTF-8''…`` (RFC 6266/5987)
when it is not plain ASCII. A name that is empty after cleaning becomes ``document``.
"""

from __future__ import annotations

import unicodedata

from workflow.limits import FILENAME_MAX

FALLBACK = "document"


def clean_filename(name: str) -> str:
    """The name to store: last component, no control or format characters, at most
    :data:`FILENAME_MAX` characters (the extension kept when cut), never empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in name
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn")
    )
    name = " ".join(name.split()).strip(" .")
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: FILENAME_MAX - len(ext) - 1] + "." + ext
        else:
            name = name[:FILENAME_MAX]
    return name or FALLBACK
