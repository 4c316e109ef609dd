"""Limiting failed logins per account and per address, counted in the database.

The counter lives in ``login_attempts`` rather than process memory, so every worker of a
multi-process server (and every app instance on the same database) sees the same count:
an attacker cannot spread guesses across workers to multiply the allowance.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select

from workflow.db import read
from workflow.errors import WorkflowError
from workflow.orm import LoginAttempt
from workflow.runtime import Runtime, as_utc

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failures are tolerated in a sliding window, per account and per address."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


DEFAULT = ThrottlePolicy()


class TooManyAttempts(WorkflowError):
    """Too many failed logins; ``retry_after`` is how long until one more try is allowed."""

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; try again in {self.minutes} minutes")

    @property
    def minutes(self) -> int:
        """Whole minutes to wait, at least one (what a person is told)."""
        return max(1, math.ceil(self.retry_after.total_seconds() / 60))


def account_key(name: str) -> str:
    """The counter key of an account name (case and surrounding spaces ignored)."""
    return "user:" + name.strip().lower()[:190]


def address_key(address: str) -> str:
    """The counter key of a client address."""
    return "addr:" + (address or "unknown")[:190]


def _wait(times: list[datetime], limit: int, now: datetime, window: timedelta) -> timedelta | None:
    """How long until fewer than ``limit`` failures remain in the window, or None if already."""
    if len(times) < limit:
        return None
    # The failure whose expiry brings the count below the limit.
    pivot = as_utc(sorted(times)[len(times) - limit])
    return max(timedelta(seconds=1), pivot + window - now)


def check(rt: Runtime, name: str, address: str, policy: ThrottlePolicy = DEFAULT) -> None:
    """Refuse (before the password is even checked) when either counter is at its limit."""
    now = rt.now()
    since = now - policy.window
    keys = {account_key(name): policy.per_account, address_key(address): policy.per_address}
    with read(rt.engine) as conn:
        rows = conn.execute(
            select(LoginAttempt.key, LoginAttempt.at).where(
                LoginAttempt.key.in_(list(keys)), LoginAttempt.at >= since
            )
        ).all()
    waits = []
    for key, limit in keys.items():
        wait = _wait([r.at for r in rows if r.key == key], limit, now, policy.window)
        if wait is not None:
            waits.append(wait)
    if waits:
        logger.warning("login refused for %r from %s: too many failures", name, address)
        raise TooManyAttempts(max(waits))


def record_failure(rt: Runtime, name: str, address: str, policy: ThrottlePolicy = DEFAULT) -> None:
    """Count one failed login against the account and the address; forget expired ones."""
    now = rt.now()
    with rt.engine.begin() as conn:
        conn.execute(
            insert(LoginAttempt),
            [{"key": account_key(name), "at": now}, {"key": address_key(address), "at": now}],
        )
        conn.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 4 * policy.window))


def record_success(rt: Runtime, name: str) -> None:
    """A correct password clears the account's counter (the address keeps its count)."""
    with rt.engine.begin() as conn:
        conn.execute(delete(LoginAttempt).where(LoginAttempt.key == account_key(name)))
