"""Checking parsed rules files against their models: strict scalars, and every problem
told as ``file: line L, column C: path: message``.

Strict because YAML guesses types: ``capacity: yes`` is the boolean true (which lax
pydantic takes for 1) and ``"15"`` is text; a rules file that says either meant something
else, so both are refused rather than converted. Money and hours (:data:`Number`) are the
one exception: a YAML integer or float becomes the exact decimal it was written as.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from workflow.yamlfiles import compose, format_path
from workflow.yamlnodes import Loc, node_at

M = TypeVar("M", bound=BaseModel)

#: More problems than this in one refusal are counted, not listed.
MAX_PROBLEMS = 50

YAML11_BOOLEAN = (
    "{value} is a YAML boolean (unquoted yes/no/on/off/true/false); quote it to use it as a name"
)


def _number(value: object) -> object:
    """A YAML int or float (read as the decimal written, ``10000.00``) as a Decimal."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise PydanticCustomError("finite_number", "Input should be a finite number")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PydanticCustomError("finite_number", "Input should be a finite number")
        return Decimal(repr(value))  # the shortest text that reads back as this float
    raise PydanticCustomError("number_type", "Input should be a number")


#: A decimal amount in a rules file: a YAML number, never text or a boolean.
Number = Annotated[Decimal, BeforeValidator(_number)]


class Locator:
    """Where a path lies in one file; the file is composed again only the first time a
    problem is placed, so loading valid files costs nothing extra."""

    def __init__(self, source: str, text: str | None) -> None:
        self.source = source
        self._text = text
        self._root: Any = None

    def __call__(self, loc: Sequence[int | str]) -> str:
        """``file: line L, column C: path`` (``file: path`` where there is no line)."""
        where = None
        if self._text is not None and loc:
            if self._root is None:
                self._root = compose(self._text) or False
            where = node_at(self._root or None, loc)
        line = f" line {where[0]}, column {where[1]}:" if where else ""
        return f"{self.source}:{line} {format_path(loc)}"


def capped(problems: list[str]) -> list[str]:
    """At most :data:`MAX_PROBLEMS`, then how many more: a screen and a log stay readable."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS} more problems"]


def schema_problems(model: type[M], data: Any) -> tuple[M | None, list[tuple[Loc, str]]]:
    """Validate a mapping into ``model``; return it or each problem's path and message."""
    if not isinstance(data, dict):
        got = "the file is empty" if data is None else f"got {type(data).__name__}"
        return None, [((), f"expected a mapping, {got}")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems: list[tuple[Loc, str]] = []
        for err in exc.errors():
            msg, loc = err["msg"], tuple(err["loc"])
            value = err.get("input")
            if err["type"] == "extra_forbidden":
                msg = "unknown field"
            elif err["type"] in ("string_type", "literal_error") and isinstance(value, bool):
                msg = YAML11_BOOLEAN.format(value=str(value).lower())
                if loc[-1:] == ("[key]",):
                    # pydantic reports a boolean mapping key as the integer 1 or 0
                    loc = (*loc[:-2], str(value).lower())
            elif err["type"].endswith("_type"):
                msg = f"{msg}, got {_describe(value)}"
            problems.append((loc, msg))
        return None, problems


def validate(
    model: type[M], data: Any, source: str, text: str | None = None
) -> tuple[M | None, list[str]]:
    """Validate into ``model``; return it or the list of ``file: line: path: message``
    problems (the line found in ``text`` where given)."""
    spec, found = schema_problems(model, data)
    at = Locator(source, text)
    return spec, capped([f"{at(loc)}: {msg}" for loc, msg in found])


def _describe(value: object) -> str:
    """What YAML made of the value, in the words of someone who wrote it."""
    if isinstance(value, bool):
        return f"the YAML boolean {str(value).lower()} (unquoted yes/no/on/off/true/false)"
    if isinstance(value, str):
        shown = repr(value if len(value) <= 40 else value[:40] + "…")
        try:
            numeric = len(value) <= 40 and Decimal(value).is_finite()
        except ArithmeticError:
            numeric = False
        return f"the text {shown}" + (" (a number is written without quotes)" if numeric else "")
    if isinstance(value, int | float | Decimal):
        return f"the number {value}"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, date):
        return f"the date {value.isoformat()} (quote it to use it as text)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
