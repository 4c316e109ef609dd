"""Inkubators' case engine: declared states, explained guards, one-transaction transitions
with a hash-chained audit log. Nothing here imports Flask.

The public API is the service modules: :mod:`workflow.enrolment`, :mod:`workflow.recording`
(evidence, whose kinds are declared in :mod:`workflow.evidence`), :mod:`workflow.mentors`,
:mod:`workflow.advance`, :mod:`workflow.registry`, :mod:`workflow.accounts`, the read
models :mod:`workflow.views`, :mod:`workflow.reports`, :mod:`workflow.auditlog`, and the
errors in :mod:`workflow.errors`.
"""

from workflow.actors import Actor
from workflow.errors import (
    Conflict,
    DefinitionError,
    FailedGuard,
    Forbidden,
    GuardRejected,
    Ineligible,
    InvalidInput,
    NotFound,
    PolicyError,
    StaleCase,
    TransitionNotAllowed,
    WorkflowError,
)

__all__ = [
    "Actor",
    "Conflict",
    "DefinitionError",
    "FailedGuard",
    "Forbidden",
    "GuardRejected",
    "Ineligible",
    "InvalidInput",
    "NotFound",
    "PolicyError",
    "StaleCase",
    "TransitionNotAllowed",
    "WorkflowError",
]
