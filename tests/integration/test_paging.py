"""Every paged list has one page-size bound (workflow.cursors.MAX_PAGE), said the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import AUDITOR, COORDINATOR
from workflow import auditquery, views
from workflow.cursors import MAX_PAGE
from workflow.errors import InvalidInput
from workflow.runtime import Runtime

LISTS: dict[str, Callable[[Runtime, int], Any]] = {
    "cases": lambda rt, n: views.list_cases(rt, COORDINATOR, limit=n),
    "audit": lambda rt, n: auditquery.list_events(rt, AUDITOR, limit=n),
    "case_audit": lambda rt, n: auditquery.case_events(rt, AUDITOR, 1, limit=n),
}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_each_list_takes_up_to_the_one_bound_and_refuses_past_it(
    rt: Runtime, make_case: Callable[..., int], name: str
) -> None:
    make_case()  # case 1 with its enrolment event
    page, _ = LISTS[name](rt, MAX_PAGE)
    assert len(page) == 1
    for bad in (0, MAX_PAGE + 1):
        with pytest.raises(InvalidInput) as exc:
            LISTS[name](rt, bad)
        assert exc.value.errors == {"limit": "must be between 1 and 500"}
        assert exc.value.errors_lv == {"limit": "jābūt no 1 līdz 500"}
