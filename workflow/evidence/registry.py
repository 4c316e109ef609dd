"""The evidence kinds: each declared once, everything else derived from the declaration.

A kind's name is its one spelling: the API path (``/cases/{id}/<name>``), the word that
grants it in the policy (``roles.<role>.evidence``), the key of its facts for guards and
the suffix of its audit triggers (``record_<name>``, ``update_<name>``). Its declaration
carries the input model the API, the UI and the CLI validate with, the writer that stores
it (in the transaction that appends its audit event, :mod:`workflow.recording`), the
loader of the facts it feeds guards, and its words in Latvian and English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Generic, Literal, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import Connection, FromClause
from sqlalchemy.sql import ColumnElement

from workflow.actors import Actor
from workflow.chain import CaseHead
from workflow.facts import Facts
from workflow.policies import Policy
from workflow.vocabulary import Words

F = TypeVar("F")
S = TypeVar("S", bound=BaseModel)

NAME = re.compile(r"^[a-z][a-z0-9_]{0,32}$")  # a trigger ``update_<name>`` fits 40 chars

#: Lists a form field may offer as choices (the screens know how to fill each).
ChoiceList = Literal["need_areas", "fields", "mentors", "funding_sources", "selected_sources"]

#: What a writer hands back: the stored record's id and the audit event's payload.
Written = tuple[int, dict[str, Any]]

#: Mentor assignment was stored as evidence (``record_mentor_assignment``) before it became
#: the policy action ``assign_mentor``; the log keeps the old events as they were hashed.
FORMER_ACTION_TRIGGERS: Mapping[str, str] = {"record_mentor_assignment": "assign_mentor"}


@dataclass(frozen=True, slots=True)
class WriteContext:
    """What a writer works in: the transaction, the locked case head, who writes, the
    programme's day (for defaults and "not in the future") and the policy in force (for
    a writer whose rules are policy, such as a consultation against the cycle's budget)."""

    conn: Connection
    head: CaseHead
    actor: Actor
    today: date
    policy: Policy | None = None


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How a form asks for one field of the input model: its label; the list it chooses
    from; labels of a fixed set of values; a free-text alternative (``<name>_other``)."""

    label: Words
    choices: ChoiceList | None = None
    options: Mapping[str, Words] = field(default_factory=dict)
    other: Words | None = None


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One way of writing a kind, with its words: ``title`` names the form and the link to
    it, ``done`` the audit event, ``may`` the permission in a refusal; ``summary`` is the
    API document's (English) line."""

    schema: type[BaseModel]
    summary: str
    title: Words
    done: Words
    may: Words
    fields: Mapping[str, FieldSpec]
    #: ``record`` or ``update``: the start of the audit trigger
    verb: ClassVar[str]


@dataclass(frozen=True, kw_only=True)
class Create(Operation, Generic[S]):
    """A new record on a case (``POST /cases/{id}/<kind>``)."""

    schema: type[S]
    write: Callable[[WriteContext, S], Written]
    verb: ClassVar[str] = "record"


@dataclass(frozen=True, kw_only=True)
class Update(Operation, Generic[S]):
    """A change to a stored record (``PATCH /<kind>/{id}``); fields left out stay as they
    are. ``record`` names it in a 404; ``case_of`` finds the case it belongs to."""

    schema: type[S]
    record: str
    case_of: Callable[[Connection, int], int | None]
    write: Callable[[WriteContext, int, S], Written]
    verb: ClassVar[str] = "update"


@dataclass(frozen=True, slots=True)
class FactSource(Generic[F]):
    """How a kind's facts reach the guards.

    ``load`` reads them in a query of its own. A kind whose facts fit in one row may also
    give ``columns`` (correlated to ``chain.cases``) with ``from_columns``, and a ``join``
    onto the case row: a transition then reads them in its one case-head SELECT.
    """

    load: Callable[[Connection, int], F]
    columns: tuple[ColumnElement[Any], ...] = ()
    from_columns: Callable[[Sequence[Any]], F] | None = None
    join: Callable[[FromClause], FromClause] | None = None


@dataclass(frozen=True)
class EvidenceKind(Generic[F]):
    """One kind of evidence, declared once. ``former`` maps the kind's earlier spellings to
    the verb they were written with, so old audit events and policies still read."""

    name: str
    create: Create[Any]
    update: Update[Any] | None = None
    facts: FactSource[F] | None = None
    former: Mapping[str, str] = field(default_factory=dict)

    @property
    def operations(self) -> tuple[Operation, ...]:
        """Creating, and changing where the kind allows it."""
        return (self.create,) if self.update is None else (self.create, self.update)

    def trigger(self, op: Operation) -> str:
        """The audit event's trigger for ``op``: ``record_<name>`` or ``update_<name>``."""
        return f"{op.verb}_{self.name}"

    def fact(self, facts: Facts) -> F | None:
        """This kind's facts, typed (None: not loaded for this trigger, or none stored)."""
        return cast("F | None", facts.loaded.get(self.name))


_KINDS: dict[str, EvidenceKind[Any]] = {}
_BY_SCHEMA: dict[type[BaseModel], tuple[EvidenceKind[Any], Operation]] = {}


def register(kind: EvidenceKind[F]) -> EvidenceKind[F]:
    """Add ``kind`` to the registry, refusing a declaration that could not work."""
    if not NAME.match(kind.name):
        raise ValueError(f"evidence kind {kind.name!r}: a name is [a-z][a-z0-9_]{{0,32}}")
    if kind.name in _KINDS:
        raise ValueError(f"evidence kind {kind.name!r} is already registered")
    for op in kind.operations:
        if op.schema in _BY_SCHEMA:
            raise ValueError(f"{op.schema.__name__} already writes another kind")
        if set(op.fields) != set(op.schema.model_fields):
            raise ValueError(
                f"evidence kind {kind.name!r}: form fields {sorted(op.fields)} differ from "
                f"{op.schema.__name__}'s {sorted(op.schema.model_fields)}"
            )
    if kind.facts is not None and bool(kind.facts.columns) != bool(kind.facts.from_columns):
        raise ValueError(f"evidence kind {kind.name!r}: columns need from_columns")
    _KINDS[kind.name] = kind
    for op in kind.operations:
        _BY_SCHEMA[op.schema] = (kind, op)
    return kind


def unregister(name: str) -> None:
    """Remove a kind (a test's throw-away kind); stored records and events stay."""
    kind = _KINDS.pop(name)
    for op in kind.operations:
        _BY_SCHEMA.pop(op.schema, None)


def kinds() -> tuple[EvidenceKind[Any], ...]:
    """Every registered kind, in the order they were declared."""
    return tuple(_KINDS.values())


def find(name: str) -> EvidenceKind[Any] | None:
    """The kind spelt ``name``, if any."""
    return _KINDS.get(name)


def get(name: str) -> EvidenceKind[Any]:
    """The kind spelt ``name``; a KeyError names it otherwise."""
    kind = _KINDS.get(name)
    if kind is None:
        raise KeyError(f"no evidence kind {name!r}")
    return kind


def for_input(data: BaseModel) -> tuple[EvidenceKind[Any], Operation]:
    """The kind and operation that ``data``'s model is the input of."""
    hit = _BY_SCHEMA.get(type(data))
    if hit is None:
        raise TypeError(f"{type(data).__name__} is the input of no evidence kind")
    return hit


_FACTS: dict[str, FactSource[Any]] = {}


def register_facts(name: str, source: FactSource[F]) -> None:
    """Facts for guards that are no evidence kind (the documents of a case): a guard may
    need ``name`` and the transition loads it with ``source``."""
    if name in _KINDS or name in _FACTS:
        raise ValueError(f"facts {name!r} are already registered")
    _FACTS[name] = source


def fact_source(name: str) -> FactSource[Any] | None:
    """How the facts ``name`` are loaded (a kind's or other registered facts), if at all."""
    kind = _KINDS.get(name)
    return kind.facts if kind is not None else _FACTS.get(name)


def fact_kinds() -> frozenset[str]:
    """The kinds that feed guards: what a guard may declare it ``needs``."""
    own = (name for name, kind in _KINDS.items() if kind.facts is not None)
    return frozenset((*own, *_FACTS))


def renamed(word: str) -> str | None:
    """The kind an earlier spelling now names (``consultation`` -> ``consultations``)."""
    return next((k.name for k in _KINDS.values() if word in k.former), None)


def _former_triggers() -> dict[str, str]:
    """Each trigger the log may hold from before kinds had one spelling -> today's."""
    out = dict(FORMER_ACTION_TRIGGERS)
    for kind in _KINDS.values():
        for word, verb in kind.former.items():
            out[f"record_{word}"] = f"{verb}_{kind.name}"
    return out


def current_trigger(trigger: str) -> str:
    """The trigger as written today: an earlier spelling becomes its successor."""
    return _former_triggers().get(trigger, trigger)


def trigger_spellings(trigger: str) -> tuple[str, ...]:
    """Every spelling of ``trigger`` the log may hold (today's first), for filters."""
    now = current_trigger(trigger)
    return (now, *sorted(old for old, new in _former_triggers().items() if new == now))


def by_trigger(trigger: str) -> tuple[EvidenceKind[Any], Operation] | None:
    """The kind and operation whose audit events carry ``trigger`` (or an earlier spelling)."""
    now = current_trigger(trigger)
    for kind in _KINDS.values():
        for op in kind.operations:
            if kind.trigger(op) == now:
                return kind, op
    return None
