"""Who is acting: passed into every service call, so the domain never asks the web who it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """A user (or the system) acting in one role."""

    name: str
    role: str
    user_id: int | None = None
    #: a representative's organisation: they act for it and see only its cases
    organisation_id: int | None = None


SYSTEM = Actor(name="system", role="admin")
