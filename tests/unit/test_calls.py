"""When a funding source's call counts as closed: one rule for guards, evidence and screens."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from workflow.guards import call_closed


@pytest.mark.parametrize(
    ("day", "closed"),
    [(date(2024, 3, 14), False), (date(2024, 3, 15), False), (date(2024, 3, 16), True)],
)
def test_a_call_is_open_through_its_closing_day(day: date, closed: bool) -> None:
    source = SimpleNamespace(call_closes=date(2024, 3, 15))
    assert call_closed(source, day) is closed
