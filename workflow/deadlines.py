"""The overdue rule: how long a case may stay in a state, and how far past that it is.

The deadlines themselves are policy (``deadlines:`` in ``policies/*.yaml``, one number of
days per state; compiling the rules refuses one on a final state). This module is the one
place that turns them into "overdue": the case list and its ``--overdue`` filter, the
case page, ``case overdue`` and the dashboard's figures and list all ask it, so none of
them can count a day differently.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, false, or_

from workflow.orm import Case
from workflow.rules import Rules
from workflow.runtime import PROGRAMME_ZONE, local_day


def deadline_days(rules: Rules, state: str) -> int | None:
    """The days a case may stay in ``state`` under ``rules`` (None: no deadline, as for
    every final state)."""
    return rules.policy.spec.deadlines.get(state)


def days_over(deadline_days: int | None, since: datetime | date, today: date) -> int:
    """Days past the deadline on ``today`` for a state entered at ``since`` (0 within it or
    without one): counted in whole days, so the deadline day itself is not yet overdue.

    ``overdue_clause`` is its SQL form (``days_over(...) > 0`` exactly when the clause
    holds).
    """
    if deadline_days is None:
        return 0
    day = local_day(since) if isinstance(since, datetime) else since
    return max(0, (today - day).days - deadline_days)


def overdue_clause(rules: Rules, today: date) -> Any:
    """SQL condition: the case has stayed in its state past the policy's deadline, i.e.
    ``days_over(deadline, state_since, today) > 0``: entered before the cutoff day."""
    parts = []
    for state, days in rules.policy.spec.deadlines.items():
        # the programme's midnight of the cutoff day, as the UTC instant stored times use
        cutoff = datetime.combine(
            today - timedelta(days=days), time.min, tzinfo=PROGRAMME_ZONE
        ).astimezone(UTC)
        parts.append(and_(Case.state == state, Case.state_since < cutoff))
    return or_(*parts) if parts else false()
