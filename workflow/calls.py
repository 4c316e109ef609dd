"""A funding call's window: the one rule of when a source takes applications.

A call is open from its opening day through its closing day, both included. The guards
(a selected source must still be open, a submission must fall inside its call), the
application rules (a submission dated before the call opens or after it closed) and the
screens (a closed call said beside its source) all ask :func:`call_phase`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Protocol


class HasCall(Protocol):
    """A funding source, or a fact about one: anything with a call window."""

    @property
    def call_opens(self) -> date: ...

    @property
    def call_closes(self) -> date: ...


class CallPhase(StrEnum):
    """Where a day falls against a call's window."""

    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"


def call_phase(source: HasCall, day: date) -> CallPhase:
    """Whether the call has not opened yet on ``day``, is open, or has closed (its closing
    day itself is still open)."""
    if day < source.call_opens:
        return CallPhase.NOT_OPEN
    if day > source.call_closes:
        return CallPhase.CLOSED
    return CallPhase.OPEN


def call_closed(source: HasCall, day: date) -> bool:
    """Whether the call has closed by ``day``: nothing can be submitted to it any more."""
    return call_phase(source, day) is CallPhase.CLOSED
