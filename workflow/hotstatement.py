"""The hot path's executor: a Core statement run on the transaction's own driver cursor.

Used for the case head's SELECT, UPDATE and the audit INSERT (:mod:`workflow.chain`) and
the head-with-facts SELECT (:mod:`workflow.factloader`); why, in :class:`HotStatement`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement


@dataclass(slots=True)
class _Compiled:
    """One statement compiled for one dialect, with its type conversions looked up."""

    sql: str
    positional: tuple[str, ...] | None
    defaults: dict[str, Any]
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]
    #: result processors, looked up on first use (some need the driver's type codes)
    results: tuple[Callable[[Any], Any] | None, ...] | None = None


class HotStatement:
    """A Core statement run on the transaction's own DBAPI cursor: the hot path's executor.

    Why: on a transition, SQLAlchemy's per-execute machinery (cache key, execution
    context, result object) cost more Python time than the driver call itself. The
    statement is still written in Core and compiled by SQLAlchemy, once per dialect;
    parameters and results go through the column types' own bind/result processors, and
    driver errors are re-raised as SQLAlchemy's (``IntegrityError`` …) as usual. Only
    for single-row statements with plain parameters; everything else uses ``execute``.
    """

    __slots__ = ("stmt", "column_keys", "_by_dialect")

    def __init__(self, stmt: ClauseElement, column_keys: Sequence[str] | None = None) -> None:
        self.stmt = stmt
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._by_dialect: dict[int, tuple[Dialect, _Compiled]] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        hit = self._by_dialect.get(id(dialect))
        if hit is not None and hit[0] is dialect:
            return hit[1]
        # for_executemany: no implicit RETURNING of the new primary key (nobody reads it)
        compiled: Any = self.stmt.compile(
            dialect=dialect, column_keys=self.column_keys, for_executemany=True
        )
        defaults: dict[str, Any] = {}
        binds = []
        for bp, name in compiled.bind_names.items():
            if not bp.required and bp.effective_value is not None:
                defaults[name] = bp.effective_value
            proc = bp.type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                binds.append((name, proc))
        made = _Compiled(
            sql=compiled.string,
            positional=tuple(compiled.positiontup) if dialect.positional else None,
            defaults=defaults,
            binds=tuple(binds),
        )
        if len(self._by_dialect) > 16:  # engines come and go (tests): keep the cache small
            self._by_dialect.clear()
        self._by_dialect[id(dialect)] = (dialect, made)
        return made

    def _result_processors(
        self, dialect: Dialect, description: Any
    ) -> tuple[Callable[[Any], Any] | None, ...]:
        # a SELECT's columns, or an INSERT/UPDATE's RETURNING columns
        columns = list(getattr(self.stmt, "exported_columns", ()))
        return tuple(
            col.type.dialect_impl(dialect).result_processor(dialect, desc[1])
            for col, desc in zip(columns, description, strict=True)
        )

    def run(self, conn: Connection, params: dict[str, Any]) -> tuple[Any, int]:
        """Execute with ``params``; return (the first row converted, or None; rowcount).

        Rows come from a SELECT or from a RETURNING clause (the audit INSERT's new id)."""
        dialect = conn.dialect
        c = self._compiled(dialect)
        values = {**c.defaults, **params} if c.defaults else dict(params)
        for name, proc in c.binds:
            if name in values:
                values[name] = proc(values[name])
        args: Any = values if c.positional is None else tuple(values[k] for k in c.positional)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(c.sql, args)
            description = cursor.description
            row = cursor.fetchone() if description else None
            rowcount = cursor.rowcount
        except dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(
                c.sql, args, exc, dialect.loaded_dbapi.Error, dialect=dialect
            ) from exc
        finally:
            cursor.close()
        if row is not None:
            if c.results is None:
                c.results = self._result_processors(dialect, description)
            row = tuple(
                v if proc is None or v is None else proc(v)
                for v, proc in zip(row, c.results, strict=True)
            )
        return row, rowcount
