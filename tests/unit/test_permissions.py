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
        (COORDINATOR, "applications", True),
        (MENTOR, "consultations", True),
        (MENTOR, "analysis", False),
        (MENTOR, "applications", False),
        (AUDITOR, "consultations", False),
        (COORDINATOR, "consultation", False),  # the kind's earlier spelling grants nothing
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
    assert roles_allowed(rules, "evidence", "consultations") == ["coordinator", "mentor", "admin"]
    assert roles_allowed(rules, "actions", "manage_users") == ["admin"]
    assert roles_allowed(rules, "actions", "read_audit") == ["coordinator", "auditor", "admin"]


def test_a_refusal_names_the_operation_and_the_kind(rules: Rules) -> None:
    with pytest.raises(Forbidden) as exc:
        permissions.require_evidence(rules, MENTOR, "applications", "update")
    assert exc.value.action == "update applications"
    assert str(exc.value) == "'update applications' is not allowed for role 'mentor'"
