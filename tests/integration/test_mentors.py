"""Who can take new work as a mentor: only an active mentor account, the same answer for the
assignment service and for the screens that offer mentors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import update

from tests.conftest import COORDINATOR
from workflow import accounts, views
from workflow.errors import InvalidInput
from workflow.mentors import assign_mentor
from workflow.orm import User
from workflow.runtime import Runtime
from workflow.schemas import UserIn


def _deactivate(rt: Runtime, name: str) -> None:
    with rt.engine.begin() as conn:
        conn.execute(update(User).where(User.name == name).values(active=False))


@pytest.fixture
def mentors(rt: Runtime) -> None:
    """anna and janis mentor, zane did but left; ilze coordinates."""
    for name, role in (("janis", "mentor"), ("anna", "mentor"), ("zane", "mentor")):
        accounts.add_user(rt, UserIn(name=name, role=role), None)  # type: ignore[arg-type]
    accounts.add_user(rt, UserIn(name="ilze", role="coordinator"), None)
    _deactivate(rt, "zane")


def test_active_mentors_are_the_active_mentor_accounts_by_name(rt: Runtime, mentors: None) -> None:
    assert [u.name for u in accounts.active_mentors(rt)] == ["anna", "janis"]


def test_an_inactive_mentor_is_not_assigned_and_nothing_changes(
    rt: Runtime, mentors: None, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    assign_mentor(rt, COORDINATOR, case_id, "anna")
    before = views.case_detail(rt, COORDINATOR, case_id)
    with pytest.raises(InvalidInput) as exc:
        assign_mentor(rt, COORDINATOR, case_id, "zane")
    assert exc.value.errors == {"mentor": "'zane' is no longer active and takes no new cases"}
    assert exc.value.errors_lv == {"mentor": "'zane' vairs nav aktīvs un jaunas lietas nepieņem"}
    after = views.case_detail(rt, COORDINATOR, case_id)
    assert (after.mentor, after.version) == ("anna", before.version)
