"""What the engine announces as it happens, for whoever listens (the web app's metrics).

Counting transitions, guard refusals, rule reloads and audit checks is an operations
concern: the engine should not know who counts, nor import an exporter or Flask. So the
places where these things happen send a blinker signal, and ``web.metrics`` subscribes
Prometheus counters to them. With no listener a signal costs a dictionary lookup.

A listener that fails must never undo or hide what it observes (a transition already
committed, a refusal about to be reported), so :func:`announce` logs its errors instead
of raising them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, TypeVar

from blinker import NamedSignal, Namespace

from workflow.errors import (
    Conflict,
    GuardRejected,
    InvalidInput,
    StaleCase,
    WorkflowError,
)

logger = logging.getLogger(__name__)

_signals = Namespace()

#: ``fire`` ended. Sender: the trigger (or :data:`UNDECLARED`); ``outcome``: ``fired``,
#: ``refused`` or ``conflict``; ``guards``: the names of the guards that said no.
transition = _signals.signal("transition")
#: Rules were put in force. Sender: why (``startup``, ``file change``).
rules_activated = _signals.signal("rules-activated")
#: Edited rules files were refused (the last good rules stay). Sender: the problems.
rules_refused = _signals.signal("rules-refused")
#: The audit log's chains were verified. Sender: the result (``ok``, ``checked``).
audit_verified = _signals.signal("audit-verified")

#: The trigger name announced for a trigger the rules do not declare: a caller's typo
#: must not become a new label (each distinct name would be a new time series).
UNDECLARED = "(undeclared)"

Outcome = Literal["fired", "refused", "conflict"]
F = TypeVar("F", bound=Callable[..., Any])


def announce(signal: NamedSignal, sender: Any, **data: Any) -> None:
    """Send ``signal``; a listener's error is logged, never raised into the engine."""
    if not signal.receivers:
        return
    try:
        signal.send(sender, **data)
    except Exception:
        logger.exception("a listener of the %r signal failed", signal.name)


def outcome_of(exc: WorkflowError) -> Outcome:
    """A lost optimistic lock or a clash with stored data is a conflict; the rest refusals."""
    return "conflict" if isinstance(exc, StaleCase | Conflict) else "refused"


def reports_transitions(fire: F) -> F:
    """Wrap ``fire(rt, actor, case_id, trigger, …)`` to announce how each call ended.

    A decorator, so the hot path itself carries no extra line: the wrapper adds one
    ``try`` and, on success, one signal send.
    """

    @wraps(fire)
    def wrapper(rt: Any, actor: Any, case_id: int, trigger: str, **kwargs: Any) -> Any:
        try:
            result = fire(rt, actor, case_id, trigger, **kwargs)
        except WorkflowError as exc:
            if transition.receivers:
                named = trigger if _declared(rt, trigger, exc) else UNDECLARED
                failed = [f.guard for f in exc.failures] if isinstance(exc, GuardRejected) else []
                announce(transition, named, outcome=outcome_of(exc), guards=failed)
            raise
        announce(transition, trigger, outcome="fired", guards=[])
        return result

    return wrapper  # type: ignore[return-value]


def _declared(rt: Any, trigger: str, exc: WorkflowError) -> bool:
    """Whether ``trigger`` is one the rules in force declare (only asked on a refusal)."""
    if isinstance(exc, InvalidInput) and "trigger" in exc.errors:
        return False
    try:
        return trigger in rt.rules.states.triggers
    except Exception:  # the rules cannot be read: do not let a label out unchecked
        logger.exception("could not read the rules to label a refused trigger")
        return False


def reports_result(signal: NamedSignal) -> Callable[[F], F]:
    """Announce a function's return value on ``signal`` (e.g. a verification's result)."""

    def decorate(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = fn(*args, **kwargs)
            announce(signal, result)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate
