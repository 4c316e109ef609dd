"""Every message the UI can show has a Latvian translation, in the .po and in the compiled
.mo the app actually loads; placeholders survive translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _used() -> dict[str, tuple[str, ...]]:
    """Msgids used in the UI's code and templates (singular -> all forms), per babel.cfg."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        # babel leaves this function unannotated
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    out: dict[str, tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        forms = message if isinstance(message, tuple) else (message,)
        out[forms[0]] = forms
    return out


def _strings(message: Message | None) -> tuple[str, ...]:
    """A message's translations: one, a plural's several, or none (missing or empty)."""
    if message is None or not message.string:
        return ()
    if isinstance(message.string, str):
        return (message.string,)
    return tuple(s or "" for s in message.string)


def _catalog(locale: str, kind: str) -> Catalog:
    path = TRANSLATIONS / locale / "LC_MESSAGES" / f"messages.{kind}"
    with path.open("rb") as f:
        return read_po(f, locale=locale) if kind == "po" else read_mo(f)


@pytest.fixture(scope="module")
def used() -> dict[str, tuple[str, ...]]:
    found = _used()
    assert len(found) > 150  # the extraction sees templates and views alike
    assert "Audit log" in found  # a template
    assert "This field is required." in found  # a view module
    return found


@pytest.mark.parametrize("kind", ["po", "mo"])
def test_every_used_msgid_has_a_latvian_translation(
    used: dict[str, tuple[str, ...]], kind: str
) -> None:
    catalog = _catalog("lv", kind)
    missing = []
    for msgid in used:
        strings = _strings(catalog.get(msgid))
        if not strings or not all(strings):
            missing.append(msgid)
    assert missing == []


def test_the_english_catalogue_lists_every_msgid(used: dict[str, tuple[str, ...]]) -> None:
    catalog = _catalog("en", "po")
    assert [m for m in used if catalog.get(m) is None] == []


def test_latvian_keeps_every_placeholder_and_has_three_plural_forms(
    used: dict[str, tuple[str, ...]],
) -> None:
    catalog = _catalog("lv", "po")
    for msgid, forms in used.items():
        message = catalog.get(msgid)
        assert message is not None, msgid
        wanted = set(PLACEHOLDER.findall(" ".join(forms)))
        strings = _strings(message)
        if len(forms) > 1:
            assert len(strings) == 3, msgid  # Latvian: 0/11-19, ends in 1, the rest
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= wanted, (msgid, text)
            if len(forms) == 1:
                assert set(PLACEHOLDER.findall(text)) == wanted, (msgid, text)
