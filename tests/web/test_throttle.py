"""The login throttle's counting, on both databases: limits, the wait told to the user,
and forgetting the account's failures after a correct password."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import Clock
from workflow import throttle
from workflow.runtime import Runtime


def test_account_limit_and_wait(rt: Runtime, clock: Clock) -> None:
    for _ in range(4):
        throttle.record_failure(rt, "Ilze ", "10.0.0.1")
        clock.now += timedelta(minutes=1)
    throttle.check(rt, "ilze", "10.0.0.2")  # four failures: still allowed
    throttle.record_failure(rt, "ILZE", "10.0.0.3")
    with pytest.raises(throttle.TooManyAttempts) as refused:
        throttle.check(rt, "ilze", "10.0.0.4")
    # The first failure (4 minutes ago) expires after 15 minutes: 11 minutes to wait.
    assert refused.value.minutes == 11
    clock.now += timedelta(minutes=11, seconds=1)
    throttle.check(rt, "ilze", "10.0.0.4")


def test_address_limit_counts_every_name(rt: Runtime) -> None:
    for i in range(20):
        throttle.record_failure(rt, f"name{i}", "203.0.113.5")
    with pytest.raises(throttle.TooManyAttempts):
        throttle.check(rt, "someone-else", "203.0.113.5")
    throttle.check(rt, "someone-else", "203.0.113.6")


def test_success_clears_the_account_but_not_the_address(rt: Runtime) -> None:
    policy = throttle.ThrottlePolicy(per_account=2, per_address=3)
    for _ in range(2):
        throttle.record_failure(rt, "anna", "198.51.100.1", policy)
    throttle.record_success(rt, "anna")
    throttle.check(rt, "anna", "198.51.100.2", policy)
    throttle.record_failure(rt, "anna", "198.51.100.1", policy)
    with pytest.raises(throttle.TooManyAttempts):
        throttle.check(rt, "anna", "198.51.100.1", policy)
