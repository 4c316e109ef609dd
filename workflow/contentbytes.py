"""An evidence row's content bytes spelled from its raw driver values, so binding is hashing.

:func:`workflow.contentbind.row_hash` hashes a row read through SQLAlchemy's column
types: every value converted, normalised (:func:`workflow.contentbind._canonical_value`),
put in a dict and JSON-encoded. Verifying a database binds every evidence row, and that
way a row costs several times what its read does. :func:`speller` spells the same
canonical bytes straight from the row the driver returns (SQLite's text dates and REAL
amounts, PostgreSQL's ``date`` and ``Decimal``), column by column, sorted by name.

The shortcut only ever says "the row hashes to what was recorded": a value of another
type than the column's (text in an integer column, a date in another spelling) spells
nothing, and a row whose spelling does not match is decided by ``row_hash`` on the row
read through the column types, as verification always decided it
(:mod:`workflow.bindings`). So the verdict is the one ``row_hash`` gives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

#: One value spelled as canonical JSON, or None: it cannot be spelled here.
Spell = Callable[[Any], "str | None"]
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def _integer(value: Any) -> str | None:
    return str(value) if type(value) is int else None


def _text(value: Any) -> str | None:
    return encode_basestring(value) if type(value) is str else None


def _day(value: Any) -> str | None:
    if type(value) is date:
        return f'"{value.isoformat()}"'
    if type(value) is str and _ISO_DAY.match(value):  # SQLite keeps a date as its ISO text
        return f'"{value}"'
    return None


def _amount(value: Any) -> str | None:
    """An amount as ``_canonical_value`` spells a Decimal: normalised, fixed-point text."""
    kind = type(value)
    if kind is Decimal:
        number = value
    elif kind is int:
        number = Decimal(value)
    elif kind is float:  # SQLite's REAL: its shortest repr is the decimal that was written
        number = Decimal(repr(value))
    else:
        return None
    if not number.is_finite():
        return None
    return f'"{format(number.normalize(), "f")}"'


def _json(value: Any) -> str | None:
    if type(value) is str:  # SQLite returns the stored text
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, list | dict | str | int | float | bool):
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _flag(value: Any) -> str | None:
    if type(value) is bool or (type(value) is int and value in (0, 1)):  # SQLite: 0 or 1
        return "true" if value else "false"
    return None


def _never(_value: Any) -> str | None:
    return None


#: The column types whose raw values can be spelled, by their exact class: a subclass or a
#: TypeDecorator may process values on the way out (an Enum class, a time zone), so its
#: rows are left to the column types.
_SPELLS: dict[type[TypeEngine[Any]], Spell] = {
    JSON: _json,
    Boolean: _flag,
    Numeric: _amount,
    Integer: _integer,
    BigInteger: _integer,
    SmallInteger: _integer,
    Date: _day,
    String: _text,
    Text: _text,
}


def _spell_for(kind: TypeEngine[Any]) -> Spell:
    return _SPELLS.get(type(kind), _never)


def select_text(table: Table) -> str:
    """The raw SELECT of every row of ``table`` by id, columns in the table's order."""
    return f"SELECT {', '.join(c.name for c in table.columns)} FROM {table.name} ORDER BY id"


def speller(
    table: Table, late: frozenset[str] = frozenset()
) -> Callable[[Sequence[Any]], bytes | None]:
    """For rows of :func:`select_text`: the bytes ``row_hash`` hashes, or None where
    they cannot be spelled from the raw values (then decide by ``row_hash``). ``late``:
    the columns added after rows were hashed, left out while NULL (``contentbind``)."""
    cols = list(table.columns)
    fields = [
        (i, f"{encode_basestring(cols[i].name)}:", _spell_for(cols[i].type), cols[i].name in late)
        for i in sorted(range(len(cols)), key=lambda i: cols[i].name)
    ]
    tail = f'}},"table":{encode_basestring(table.name)}}}'

    def spell(values: Sequence[Any]) -> bytes | None:
        parts = []
        for i, key, fn, skip_null in fields:
            value = values[i]
            if value is None:
                if not skip_null:
                    parts.append(key + "null")
                continue
            text = fn(value)
            if text is None:
                return None
            parts.append(key + text)
        try:
            return ('{"row":{' + ",".join(parts) + tail).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: never hashed by the engine
            return None

    return spell
