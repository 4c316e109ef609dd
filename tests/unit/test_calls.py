"""When a funding source's call is open: one rule for guards, application rules and screens."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from workflow.calls import CallPhase, call_closed, call_phase

CALL = SimpleNamespace(call_opens=date(2024, 2, 1), call_closes=date(2024, 3, 15))


@pytest.mark.parametrize(
    ("day", "phase"),
    [
        (date(2024, 1, 31), CallPhase.NOT_OPEN),
        (date(2024, 2, 1), CallPhase.OPEN),  # its opening day is open
        (date(2024, 3, 15), CallPhase.OPEN),  # and so is its closing day
        (date(2024, 3, 16), CallPhase.CLOSED),
    ],
)
def test_a_call_is_open_from_its_opening_through_its_closing_day(
    day: date, phase: CallPhase
) -> None:
    assert call_phase(CALL, day) is phase
    assert call_closed(CALL, day) is (phase is CallPhase.CLOSED)
