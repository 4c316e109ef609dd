"""The rules in force: a states definition and a policy, cross-checked and compiled once.

One :class:`Rules` is built per (states, policy) version and shared by every case and
request; it holds the one ``transitions`` machine of that version. Nothing per case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from transitions.extensions import GraphMachine

from workflow import docpolicy
from workflow.definitions import StatesDefinition, load_states
from workflow.errors import PolicyError
from workflow.evidence import registry as evidence_kinds
from workflow.guards.documents import for_trigger as document_guard
from workflow.guards.registry import COMMENT, REGISTRY, GuardSpec
from workflow.policies import Policy, load_policy
from workflow.yamlschema import Locator, capped, schema_problems


@dataclass(frozen=True, slots=True)
class BoundGuard:
    """A guard with the policy's parameters for one trigger already validated."""

    spec: GuardSpec
    params: BaseModel


@dataclass(frozen=True, slots=True)
class CompiledTransition:
    """What firing ``trigger`` from one source state does."""

    trigger: str
    source: str
    dest: str
    guards: tuple[BoundGuard, ...]
    #: the stored evidence its guards read (what to load; the comment comes with the call)
    needs: frozenset[str]


class _DiagramAnchor:
    """The one model the machine is built with, so it can draw itself; never a case."""


@dataclass(frozen=True)
class Rules:
    """Compiled states + policy; immutable and shared."""

    states: StatesDefinition
    policy: Policy
    machine: GraphMachine = field(repr=False)
    table: dict[tuple[str, str], CompiledTransition] = field(repr=False)
    by_source: dict[str, tuple[CompiledTransition, ...]] = field(repr=False)
    #: the evidence a trigger's guards read from any source state, so the case head and
    #: those facts come in one query before the case's state is known
    needs_by_trigger: dict[str, frozenset[str]] = field(repr=False)

    @property
    def states_hash(self) -> str:
        """SHA-256 of the states file in force."""
        return self.states.sha256

    @property
    def policy_hash(self) -> str:
        """SHA-256 of the policy files in force."""
        return self.policy.sha256

    def lookup(self, trigger: str, source: str) -> CompiledTransition | None:
        """The transition ``trigger`` fires from ``source``, if declared."""
        return self.table.get((trigger, source))

    def is_final(self, state: str) -> bool:
        """Whether a case in ``state`` has finished."""
        return self.states.state(state).final

    def mermaid(self) -> str:
        """The workflow diagram in mermaid syntax, drawn by ``transitions`` itself."""
        anchor = self.machine.models[0]
        return str(anchor.get_graph(force_new=True).draw(None))


def policy_problems(states: StatesDefinition, policy: Policy) -> list[str]:
    """Where the policy names triggers, states or guard thresholds the workflow lacks."""
    problems: list[str] = []
    texts = dict(policy.files)
    locators: dict[str, Locator] = {}

    def at(section: str, *loc: str | int) -> str:
        name = policy.origins.get(section, "policy")
        if name not in locators:
            locators[name] = Locator(name, texts.get(name))
        return locators[name]((section, *loc))

    triggers = set(states.triggers)
    for role, rp in policy.spec.roles.items():
        for i, t in enumerate(rp.triggers):
            if t not in triggers:
                problems.append(
                    f"{at('roles', role, 'triggers', i)}: {t!r} is not a declared trigger"
                )
    problems += _evidence_problems(policy, at)
    problems += docpolicy.problems(policy.spec.documents, triggers, at)
    by_trigger: dict[str, list[GuardSpec]] = {}
    for spec_t in states.spec.transitions:
        by_trigger.setdefault(spec_t.trigger, []).extend(REGISTRY[g] for g in spec_t.guards)
    for trig, params in policy.spec.guards.items():
        if trig not in triggers:
            problems.append(f"{at('guards', trig)}: {trig!r} is not a declared trigger")
            continue
        known = {f for g in by_trigger[trig] for f in g.params.model_fields}
        for key in params:
            if key not in known:
                allowed = ", ".join(sorted(known)) or "none"
                problems.append(
                    f"{at('guards', trig, key)}: no guard of {trig!r} takes this parameter "
                    f"(takes: {allowed})"
                )
        for g in by_trigger[trig]:
            for loc, msg in schema_problems(g.params, params)[1]:
                problems.append(f"{at('guards', trig, *loc)}: {msg}")
    for state, days in policy.spec.deadlines.items():
        where = at("deadlines", state)
        if state not in states.state_ids:
            problems.append(f"{where}: {state!r} is not a declared state")
        elif states.state(state).final:
            problems.append(f"{where}: {state!r} is final; a final state has no deadline")
        if days < 1:
            problems.append(f"{where}: must be at least 1 day")
    return capped(problems)


def _evidence_problems(policy: Policy, at: Callable[..., str]) -> list[str]:
    """Where a role is granted evidence no kind is spelt as (an earlier spelling is named
    with today's); ``at`` words a policy path as its file, line and column."""
    problems: list[str] = []
    known = ", ".join(k.name for k in evidence_kinds.kinds())
    for role, rp in policy.spec.roles.items():
        for i, word in enumerate(rp.evidence):
            if evidence_kinds.find(word) is not None:
                continue
            now = evidence_kinds.renamed(word)
            hint = f"it is now spelt {now!r}" if now else f"kinds: {known}"
            problems.append(
                f"{at('roles', role, 'evidence', i)}: {word!r} is not an evidence kind ({hint})"
            )
    return problems


def compile_rules(states: StatesDefinition, policy: Policy) -> Rules:
    """Cross-check and compile; raise :class:`PolicyError` naming every problem."""
    problems = policy_problems(states, policy)
    if problems:
        raise PolicyError(problems)
    spec = states.spec
    anchor = _DiagramAnchor()
    machine = GraphMachine(
        model=anchor,
        states=[s.id for s in spec.states],
        transitions=[
            {"trigger": t.trigger, "source": list(t.source), "dest": t.dest}
            for t in spec.transitions
        ],
        initial=spec.initial,
        auto_transitions=False,
        graph_engine="mermaid",
        title=spec.id,
        show_state_attributes=False,
    )
    # Top to bottom: the chain of eight states then fits a page's width, and the side
    # exits to ``withdrawn`` run down beside it instead of off the right-hand edge.
    machine.machine_attributes = {**machine.machine_attributes, "rankdir": "TB"}
    guard_names = {(t.trigger, s): t.guards for t in spec.transitions for s in t.source}
    table: dict[tuple[str, str], CompiledTransition] = {}
    for trigger, event in machine.events.items():
        for source, declared in event.transitions.items():
            for tr in declared:
                bound = tuple(
                    BoundGuard(REGISTRY[g], _params(REGISTRY[g], policy, trigger))
                    for g in guard_names[(trigger, source)]
                )
                required = document_guard(policy, trigger)  # declared by the policy
                if required is not None:
                    bound = (*bound, BoundGuard(*required))
                needs = frozenset().union(*(b.spec.needs for b in bound)) - {COMMENT}
                table[(trigger, source)] = CompiledTransition(
                    trigger, source, str(tr.dest), bound, needs
                )
    by_source: dict[str, list[CompiledTransition]] = {}
    needs_by_trigger: dict[str, frozenset[str]] = {}
    order = {t: i for i, t in enumerate(states.triggers)}
    for ct in table.values():
        by_source.setdefault(ct.source, []).append(ct)
        needs_by_trigger[ct.trigger] = needs_by_trigger.get(ct.trigger, frozenset()) | ct.needs
    return Rules(
        states=states,
        policy=policy,
        machine=machine,
        table=table,
        by_source={
            k: tuple(sorted(v, key=lambda c: order[c.trigger])) for k, v in by_source.items()
        },
        needs_by_trigger=needs_by_trigger,
    )


def _params(g: GuardSpec, policy: Policy, trigger: str) -> BaseModel:
    raw: dict[str, Any] = policy.spec.guards.get(trigger, {})
    return g.params.model_validate(raw)


def load_rules(states_dir: Path, policy_dir: Path) -> Rules:
    """Load both directories and compile; every problem surfaces as a DefinitionError."""
    states = load_states(states_dir)
    policy = load_policy(policy_dir)
    return compile_rules(states, policy)


__all__ = ["Rules", "compile_rules", "load_rules"]
