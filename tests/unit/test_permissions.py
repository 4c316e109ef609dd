"""Which evidence a role may record: the same answer for hiding a control as for refusing."""

from __future__ import annotations

import pytest

from workflow import permissions
from workflow.actors import Actor
from workflow.errors import Forbidden
from workflow.rules import Rules

COORDINATOR = Actor("ilze", "coordinator", 1)
MENTOR = Actor("janis", "mentor", 2)
AUDITOR = Actor("revidents", "auditor", 3)


@pytest.mark.parametrize(
    ("who", "kind", "allowed"),
    [
        (COORDINATOR, "analysis", True),
        (COORDINATOR, "application_update", True),
        (MENTOR, "consultation", True),
        (MENTOR, "analysis", False),
        (MENTOR, "application", False),
        (AUDITOR, "consultation", False),
        (COORDINATOR, "no_such_kind", False),
    ],
)
def test_may_record_follows_the_policy_and_agrees_with_the_refusal(
    rules: Rules, who: Actor, kind: str, allowed: bool
) -> None:
    assert permissions.may_record(rules, who, kind) is allowed
    if allowed:
        permissions.require_evidence(rules, who, kind)
    else:
        with pytest.raises(Forbidden):
            permissions.require_evidence(rules, who, kind)


def test_roles_allowed_is_what_the_refusals_decide(rules: Rules) -> None:
    roles_allowed = permissions.roles_allowed
    assert roles_allowed(rules, "triggers", "submit") == ["coordinator", "admin"]
    assert roles_allowed(rules, "evidence", "consultation") == ["coordinator", "mentor", "admin"]
    assert roles_allowed(rules, "actions", "manage_users") == ["admin"]
    assert roles_allowed(rules, "actions", "read_audit") == ["coordinator", "auditor", "admin"]
