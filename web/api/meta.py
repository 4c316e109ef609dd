"""The rules in force: the workflow (states, transitions, guards) and the policy, with hashes."""

from __future__ import annotations

from pydantic import BaseModel

from web.api.routing import api_route
from web.context import runtime
from workflow.definitions import StateSpec, TransitionSpec
from workflow.policies import PolicyFile


class WorkflowOut(BaseModel):
    """The active states definition and its SHA-256 (recorded in every audit event)."""

    id: str
    hash: str
    initial: str
    states: list[StateSpec]
    transitions: list[TransitionSpec]
    mermaid: str


class PolicyOut(BaseModel):
    """The active policy, the files it came from and its SHA-256."""

    hash: str
    files: list[str]
    policy: PolicyFile


@api_route("/workflow", tag="rules", response=WorkflowOut)
def workflow() -> WorkflowOut:
    """The active workflow: states with labels, transitions with their guards, and its hash."""
    rules = runtime().rules
    spec = rules.states.spec
    return WorkflowOut(
        id=spec.id,
        hash=rules.states_hash,
        initial=spec.initial,
        states=list(spec.states),
        transitions=list(spec.transitions),
        mermaid=rules.mermaid(),
    )


@api_route("/policy", tag="rules", response=PolicyOut)
def policy() -> PolicyOut:
    """The active policy (roles, guard thresholds, eligibility, deadlines) and its hash."""
    rules = runtime().rules
    return PolicyOut(
        hash=rules.policy_hash,
        files=[name for name, _ in rules.policy.files],
        policy=rules.policy.spec,
    )
