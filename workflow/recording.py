"""Writing evidence, the one service every entry point (API, UI, CLI, demo) calls.

Which kind ``data`` is, and so its writer, permission and audit trigger, comes from the
kind's declaration (:mod:`workflow.evidence.registry`); the write itself has the shape of
every write on a case that is not a transition (:func:`workflow.casewrite.write_on_case`),
so the record and its audit event are one transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from workflow.actors import Actor
from workflow.casewrite import Recorded, write_on_case
from workflow.db import read
from workflow.errors import InvalidInput, NotFound
from workflow.evidence.registry import Create, Update, for_input
from workflow.permissions import require_evidence
from workflow.runtime import Runtime


def record(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    data: BaseModel,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Store ``data`` on the case as the kind whose input model it is."""
    kind, op = for_input(data)
    if not isinstance(op, Create):
        raise TypeError(f"{type(data).__name__} changes a stored record: use update()")
    return write_on_case(
        rt,
        actor,
        case_id,
        permit=lambda rules: require_evidence(rules, actor, kind.name, op.verb),
        kind="evidence",
        trigger=kind.trigger(op),
        write=lambda ctx: op.write(ctx, data),
        expected_version=expected_version,
        at=at,
    )


def update(
    rt: Runtime,
    actor: Actor,
    record_id: int,
    data: BaseModel,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Recorded:
    """Change the stored record ``record_id`` of the kind whose change ``data`` is; the
    fields ``data`` leaves unset stay as they are."""
    kind, op = for_input(data)
    if not isinstance(op, Update):
        raise TypeError(f"{type(data).__name__} creates a record: use record()")
    case_id = case_of(rt, op, record_id)
    if not data.model_dump(exclude_unset=True):
        raise InvalidInput({"(body)": "nothing to change"}, {"(body)": "nav ko mainīt"})
    return write_on_case(
        rt,
        actor,
        case_id,
        permit=lambda rules: require_evidence(rules, actor, kind.name, op.verb),
        kind="evidence",
        trigger=kind.trigger(op),
        write=lambda ctx: op.write(ctx, record_id, data),
        expected_version=expected_version,
        at=at,
    )


def case_of(rt: Runtime, op: Update[Any], record_id: int) -> int:
    """The case the record ``record_id`` that ``op`` changes belongs to, or NotFound."""
    with read(rt.engine) as conn:
        case_id = op.case_of(conn, record_id)
    if case_id is None:
        raise NotFound(op.record, record_id)
    return case_id
