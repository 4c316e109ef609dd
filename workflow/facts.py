"""The evidence a guard looks at, as plain immutable values (no ORM, no session).

Guards receive a :class:`Facts`; only the kinds a trigger's guards declare are loaded,
each by its kind's own loader (:mod:`workflow.evidence`), so a transition reads no more
than it decides on. A guard reads a kind's facts typed, through the kind
(``consultations.KIND.fact(facts)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(slots=True)
class Facts:
    """Everything guards may consult: the day, the trigger's comment and the facts of the
    kinds loaded for this trigger, by kind name (a kind not needed is absent)."""

    today: date
    comment: str = ""
    loaded: dict[str, Any] = field(default_factory=dict)
