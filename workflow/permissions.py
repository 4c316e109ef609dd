"""Role checks against the policy's ``roles`` section; one place for every entry point."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from workflow.actors import Actor
from workflow.errors import Forbidden
from workflow.orm import Case
from workflow.rules import Rules


def require_trigger(rules: Rules, actor: Actor, trigger: str) -> None:
    """Refuse a trigger the actor's role may not fire."""
    if not may_fire(rules, actor, trigger):
        raise Forbidden(actor.role, trigger)


def may_fire(rules: Rules, actor: Actor | None, trigger: str) -> bool:
    """Whether the actor's role may fire ``trigger`` (for the screens' ``role_allowed``; the
    same test :func:`require_trigger` refuses by). No actor (the operator) fires nothing."""
    return actor is not None and trigger in rules.policy.role(actor.role).triggers


def require_evidence(rules: Rules, actor: Actor, kind: str, verb: str = "record") -> None:
    """Refuse evidence the actor's role may not write; the refusal names what was refused
    as ``<verb> <kind>`` (``record consultations``, ``update applications``)."""
    if not may_record(rules, actor, kind):
        raise Forbidden(actor.role, f"{verb} {kind}")


def require_action(rules: Rules, actor: Actor, action: str) -> None:
    """Refuse an administrative action the actor's role may not take."""
    if not may(rules, actor, action):
        raise Forbidden(actor.role, action)


def may(rules: Rules, actor: Actor, action: str) -> bool:
    """Whether the actor's role may take ``action`` (for hiding controls)."""
    return action in rules.policy.role(actor.role).actions


def may_record(rules: Rules, actor: Actor, kind: str) -> bool:
    """Whether the actor's role may record evidence of ``kind`` (for hiding controls; the
    same test :func:`require_evidence` refuses by)."""
    return kind in rules.policy.role(actor.role).evidence


def roles_allowed(rules: Rules, section: str, name: str) -> list[str]:
    """The roles the policy in force lets fire trigger ``name`` (``section`` "triggers"),
    record evidence ``name`` ("evidence") or take action ``name`` ("actions"): the same
    tests as the refusals, for documents that say who may (the OpenAPI descriptions)."""
    test = {"triggers": may_fire, "evidence": may_record, "actions": may}[section]
    return [role for role in rules.policy.spec.roles if test(rules, Actor("", role), name)]


def require_case_access(
    rules: Rules, actor: Actor, mentor_id: int | None, organisation_id: int | None = None
) -> None:
    """A role scoped to assigned cases sees only the cases assigned to the user; a role
    scoped to its organisation only that organisation's cases. A caller that does not pass
    the case's ``organisation_id`` refuses the latter (closed unless asked)."""
    scope = rules.policy.role(actor.role).case_scope
    if scope == "assigned" and (actor.user_id is None or mentor_id != actor.user_id):
        raise Forbidden(actor.role, "access a case not assigned to you")
    if scope == "organisation":
        if organisation_id is None:  # a read that does not serve the organisation's view
            raise Forbidden(actor.role, "read the programme's internal records of a case")
        if organisation_id != actor.organisation_id:
            raise Forbidden(actor.role, "access a case of another organisation")


def sees_all_cases(rules: Rules, actor: Actor) -> bool:
    """Whether lists should include every case or only the actor's assigned ones."""
    return rules.policy.role(actor.role).case_scope == "all"


def acts_for_organisation(rules: Rules, actor: Actor | None) -> bool:
    """Whether the actor's role is scoped to its organisation (a representative): their
    case page is the organisation's view, without internal notes or history."""
    return actor is not None and rules.policy.role(actor.role).case_scope == "organisation"


def require_programme_figures(rules: Rules, actor: Actor | None) -> None:
    """The programme's figures across organisations (the cycle reports, the dashboard) are
    for its staff: a role scoped to one organisation is refused them (``None``: the
    operator)."""
    if actor is not None and acts_for_organisation(rules, actor):
        raise Forbidden(actor.role, "read the programme's figures across organisations")


def sees_internal_notes(rules: Rules, actor: Actor | None) -> bool:
    """Whether the actor reads notes marked internal: everyone but a role scoped to its
    organisation (the organisation's representative); ``None`` is the operator."""
    return not acts_for_organisation(rules, actor)


def case_scope_clause(rules: Rules, actor: Actor | None) -> ColumnElement[bool] | None:
    """The SQL condition on ``Case`` that narrows a list to the cases the actor may see, or
    ``None`` when they see every case: a role scoped to assigned cases sees the user's own
    (none without a user id), a role scoped to its organisation that organisation's (none
    without one); ``actor=None`` is the operator (command line), who sees all.

    The one rule for every list of cases (``views.list_cases``, ``reports.overdue_cases``)."""
    if actor is None or sees_all_cases(rules, actor):
        return None
    if rules.policy.role(actor.role).case_scope == "organisation":
        return Case.organisation_id == (actor.organisation_id or -1)
    return Case.mentor_id == (actor.user_id or -1)
