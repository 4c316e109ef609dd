"""The council report's words in Latvian or English, outside any request.

The report is rendered by the web app, the API and the command line alike, so it cannot
ask Flask-Babel for the language: it loads the UI's own catalogues
(``web/translations``) for the language it is asked for, and formats dates and amounts
with :mod:`workflow.localformat`, as the UI does.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from workflow import localformat
from workflow.rules import Rules
from workflow.vocabulary import FIELDS

Lang = Literal["lv", "en"]
LANGS: tuple[Lang, ...] = ("lv", "en")
TRANSLATIONS = Path(__file__).parents[1] / "translations"
#: How a cell is written: its kind decides the spreadsheet's number format too.
Kind = Literal["text", "int", "eur", "date", "days", "hours"]


def N_(message: str) -> str:
    """Mark a message for the catalogue; it is translated where it is shown."""
    return message


@lru_cache(maxsize=4)
def catalogue(lang: Lang) -> NullTranslations:
    """The UI's compiled catalogue for ``lang``."""
    return Translations.load(str(TRANSLATIONS), [lang], domain="messages")


class Words:
    """Translation and formatting for one language and one version of the rules."""

    def __init__(self, lang: Lang, rules: Rules) -> None:
        self.lang = lang
        self.rules = rules
        self.translations = catalogue(lang)

    def __call__(self, message: str, **values: Any) -> str:
        """``message`` in the report's language, with ``%(name)s`` placeholders filled."""
        text = self.translations.gettext(message)
        return text % values if values else text

    def state(self, state: str) -> str:
        """A state's label from the states file (the id for a state it no longer declares)."""
        try:
            return str(getattr(self.rules.states.state(state).label, self.lang))
        except KeyError:
            return state

    def domain(self, code: str) -> str:
        """A project domain's name (the code itself for one the vocabulary lacks)."""
        words = FIELDS.get(code)
        return getattr(words, self.lang) if words else code

    def show(self, value: Any, kind: Kind) -> str:
        """A cell as a reader sees it."""
        if value is None:
            return "–"
        if kind == "eur":
            return localformat.eur(Decimal(value), self.lang)
        if kind == "date":
            assert isinstance(value, date)
            return localformat.day(value, self.lang)
        if kind == "days":
            return str(format_decimal(Decimal(str(value)), format="#,##0.#", locale=self.lang))
        if kind == "hours":
            return str(format_decimal(Decimal(value), format="#,##0.00", locale=self.lang))
        return str(value)
