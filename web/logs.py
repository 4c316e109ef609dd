"""Structured logs: one JSON object per line on standard error, gunicorn's lines included.

Every line has ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message`` and ``pid``;
a line written while a request runs also has its ``request_id``; access lines (logger
``inkubators.access``) add ``method``, ``path``, ``route``, ``status`` and
``duration_ms``; an exception arrives as ``exc_info`` inside the same line, so a log
shipper never sees half a traceback as separate records.

The formatting is python-json-logger's; this module only says which fields and wires the
request id in. The process that starts the server configures logging (gunicorn applies
:func:`logging_config` in the master; the workers inherit it); the app factory does
not, so a test or an embedding program keeps its own logging.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

#: The id of the request being answered on this thread (set by :mod:`web.observe`).
request_id: ContextVar[str | None] = ContextVar("inkubators_request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record written while a request is answered."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Never drops a record; only adds the field (unless the caller set it)."""
        rid = request_id.get()
        if rid is not None and not hasattr(record, "request_id"):
            record.request_id = rid
        return True


class _TimeFirst(JsonFormatter):
    """python-json-logger puts the timestamp last; a person scanning lines wants it first."""

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        """The library's fields, reordered so ``time`` leads."""
        super().add_fields(log_data, record, message_dict)
        rest = {k: v for k, v in log_data.items() if k != "time"}
        stamp = log_data.get("time")
        log_data.clear()
        log_data["time"] = stamp
        log_data.update(rest)


def json_formatter() -> JsonFormatter:
    """The one line format: time, level, logger, message, pid, then any extra fields."""
    return _TimeFirst(
        "{levelname}{name}{message}{process}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger", "process": "pid"},
        timestamp="time",
    )


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server: JSON lines on standard error.

    gunicorn's own loggers go through the same handler; its access log is left empty
    because :mod:`web.observe` writes a richer access line (with route and request id).
    ``level`` is ``INKUBATORS_LOG_LEVEL``; a name logging does not know counts as INFO
    here (the start is refused with that setting named before the workers run).
    """
    level = level.upper() if isinstance(logging.getLevelName(level.upper()), int) else "INFO"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": json_formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }
