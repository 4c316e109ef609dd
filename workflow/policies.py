"""The programme policy (``policies/*.yaml``): roles, guard thresholds, cycle defaults,
eligibility and deadlines, as data staff change without code edits.

Each file in the directory holds some top-level sections; together they must hold each
section exactly once. The policy's hash covers every file's name and exact text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, cast, get_args

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from workflow.errors import PolicyError
from workflow.yamlfiles import parse_yaml, read_text, validate

Role = Literal["coordinator", "mentor", "auditor", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
EvidenceKind = Literal[
    "analysis", "consultation", "source_selection", "application", "application_update"
]
Action = Literal[
    "enrol",
    "manage_organisations",
    "manage_cycles",
    "manage_funding_sources",
    "read_audit",
    "assign_mentor",
    "manage_users",
    "manage_policies",
]
SECTIONS = (
    "cycle_defaults",
    "guards",
    "roles",
    "eligibility",
    "deadlines",
    "tokens",
    "idempotency",
)


class CycleDefaults(BaseModel):
    """What a new cycle gets when its creator says nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    budget_eur: Decimal = Field(ge=0, le=10_000_000, decimal_places=2)
    capacity: int = Field(ge=1, le=1000)


class RolePolicy(BaseModel):
    """What one role may do."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    triggers: list[StrictStr] = Field(default_factory=list)
    evidence: list[EvidenceKind] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    case_scope: Literal["all", "assigned"] = "all"


NO_PERMISSIONS = RolePolicy()


class Eligibility(BaseModel):
    """Who may enrol."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    excluded_fields: list[StrictStr] = Field(default_factory=list)
    allowed_legal_forms: list[StrictStr] = Field(default_factory=list)
    max_cycles_per_organisation: int | None = Field(default=None, ge=1, le=100)


class TokenPolicy(BaseModel):
    """How long an API bearer token works after it is issued."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    lifetime_days: StrictInt = Field(default=90, ge=1, le=3660)


class IdempotencyPolicy(BaseModel):
    """How long the answer to a write sent with an ``Idempotency-Key`` is kept for replay."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    keep_hours: StrictInt = Field(default=24, ge=1, le=24 * 90)


class PolicyFile(BaseModel):
    """The merged policy sections."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    cycle_defaults: CycleDefaults
    guards: dict[StrictStr, dict[StrictStr, Any]] = Field(default_factory=dict)
    roles: dict[Role, RolePolicy]
    eligibility: Eligibility = Eligibility()
    deadlines: dict[StrictStr, int] = Field(default_factory=dict)
    tokens: TokenPolicy = TokenPolicy()
    idempotency: IdempotencyPolicy = IdempotencyPolicy()


@dataclass(frozen=True)
class Policy:
    """A validated policy with the exact text of its files and their combined hash."""

    spec: PolicyFile
    files: tuple[tuple[str, str], ...]
    sha256: str
    origins: dict[str, str]

    def role(self, role: str) -> RolePolicy:
        """The role's permissions; a role the policy does not name may do nothing."""
        return cast("dict[str, RolePolicy]", self.spec.roles).get(role, NO_PERMISSIONS)


def policy_hash(files: tuple[tuple[str, str], ...]) -> str:
    """SHA-256 over each file's name and exact text, in name order."""
    h = hashlib.sha256()
    for name, text in sorted(files):
        h.update(name.encode())
        h.update(b"\0")
        h.update(text.encode())
        h.update(b"\0")
    return h.hexdigest()


def parse_policy(files: list[tuple[str, str]]) -> Policy:
    """Merge and validate policy files given as ``(display name, text)`` pairs."""
    problems: list[str] = []
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for name, text in files:
        try:
            data = parse_yaml(text, name)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(f"{name}: (top): expected a mapping of policy sections")
            continue
        for key, value in data.items():
            if key not in SECTIONS:
                problems.append(
                    f"{name}: {key}: unknown policy section (known: {', '.join(SECTIONS)})"
                )
            elif key in merged:
                problems.append(f"{name}: {key}: section already given in {origin[key]}")
            else:
                merged[key] = value
                origin[key] = name
    if problems:
        raise PolicyError(problems)
    spec, problems = validate(PolicyFile, merged, "policy")
    if spec is None:
        # Point each problem at the file that holds its section.
        fixed = []
        for p in problems:
            _, path, msg = p.split(": ", 2)
            section = path.split(".")[0].split("[")[0]
            fixed.append(
                f"{origin.get(section, files[0][0] if files else 'policy')}: {path}: {msg}"
            )
        raise PolicyError(fixed)
    return Policy(spec=spec, files=tuple(files), sha256=policy_hash(tuple(files)), origins=origin)


def load_policy(directory: Path) -> Policy:
    """Load every ``*.yaml`` file of the policy directory."""
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise PolicyError([f"{directory}: no policy files (*.yaml)"])
    return parse_policy([(f"{p.parent.name}/{p.name}", read_text(p)) for p in paths])


__all__ = ["Policy", "PolicyFile", "load_policy", "parse_policy"]
