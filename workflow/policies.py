"""The programme policy (``policies/*.yaml``): roles, guard thresholds, cycle defaults,
eligibility and deadlines, as data staff change without code edits.

Each file in the directory holds some top-level sections; together they must hold each
section exactly once. The policy's hash covers every file's name and exact text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, cast, get_args

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

from workflow.docpolicy import DocumentsPolicy
from workflow.errors import PolicyError
from workflow.registerspec import RegistryPolicy
from workflow.yamlfiles import RulesFileError, parse_yaml, read_rules_file
from workflow.yamlschema import Locator, Number, capped, schema_problems

Role = Literal["coordinator", "mentor", "auditor", "admin", "representative"]
ROLES: tuple[str, ...] = get_args(Role)
Action = Literal[
    "enrol",
    "manage_organisations",
    "manage_cycles",
    "manage_funding_sources",
    "read_audit",
    "assign_mentor",
    "manage_users",
    "manage_policies",
    "record_for_others",
    "read_budget",
    "read_reports",
    "upload_documents",
    "import_register",
    "read_register",
    "invite_representatives",
]
SECTIONS = (
    "cycle_defaults",
    "guards",
    "roles",
    "eligibility",
    "deadlines",
    "tokens",
    "idempotency",
    "reports",
    "reminders",
    "documents",
    "registry",
    "budget",
)


class CycleDefaults(BaseModel):
    """What a new cycle gets when its creator says nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    budget_eur: Number = Field(ge=0, le=10_000_000, decimal_places=2)
    capacity: StrictInt = Field(ge=1, le=1000)


class RolePolicy(BaseModel):
    """What one role may do."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    triggers: list[StrictStr] = Field(default_factory=list)
    #: evidence kinds by name; checked against the kinds' registry when the rules compile
    evidence: list[StrictStr] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    #: all cases, the ones assigned to the user (mentors), or their organisation's
    #: (representatives, bound to one organisation when their account is added)
    case_scope: Literal["all", "assigned", "organisation"] = "all"


NO_PERMISSIONS = RolePolicy()


class Eligibility(BaseModel):
    """Who may enrol."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    excluded_fields: list[StrictStr] = Field(default_factory=list)
    allowed_legal_forms: list[StrictStr] = Field(default_factory=list)
    max_cycles_per_organisation: StrictInt | None = Field(default=None, ge=1, le=100)


class TokenPolicy(BaseModel):
    """How long an API bearer token works after it is issued."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    lifetime_days: StrictInt = Field(default=90, ge=1, le=3660)
    #: how long a representative's invitation link (set a password, once) works
    invitation_days: StrictInt = Field(default=7, ge=1, le=60)


class IdempotencyPolicy(BaseModel):
    """How long the answer to a write sent with an ``Idempotency-Key`` is kept for replay."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    keep_hours: StrictInt = Field(default=24, ge=1, le=24 * 90)


class Label(BaseModel):
    """A name in Latvian and English."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    lv: StrictStr = Field(min_length=1, max_length=200)
    en: StrictStr = Field(min_length=1, max_length=200)


class CostLine(BaseModel):
    """A fixed cost the cycle's budget pays besides mentor hours: an amount for each case
    enrolled in the cycle (``per: case``) or once for the cycle (``per: cycle``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    id: StrictStr = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: Label
    eur: Number = Field(ge=0, le=10_000_000, decimal_places=2)
    per: Literal["case", "cycle"] = "case"


class BudgetPolicy(BaseModel):
    """What the cycle's budget pays for (:mod:`workflow.budget`): mentor hours at a rate,
    the other cost lines, the hours planned per case, when to warn and whether a
    consultation may take spending over the budget."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    mentor_hour_eur: Number = Field(ge=0, le=100_000, decimal_places=2)
    planned_hours_per_case: Number = Field(ge=0, le=10_000, decimal_places=2)
    other_costs: list[CostLine] = Field(default_factory=list, max_length=50)
    warn_at_percent: list[StrictInt] = Field(default_factory=lambda: [80, 100], max_length=10)
    allow_overrun: bool = False

    @field_validator("warn_at_percent")
    @classmethod
    def _percents(cls, v: list[int]) -> list[int]:
        if any(not 1 <= p <= 1000 for p in v):
            raise ValueError("each threshold is a percentage from 1 to 1000")
        if v != sorted(set(v)):
            raise ValueError("thresholds go up, each once")
        return v

    @field_validator("other_costs")
    @classmethod
    def _unique_ids(cls, v: list[CostLine]) -> list[CostLine]:
        seen = [c.id for c in v]
        if len(seen) != len(set(seen)):
            raise ValueError("each cost line's id is given once")
        return v


class ReportPolicy(BaseModel):
    """What the council report lists: its project domains, in this order, each shown even at
    zero (an application's other domain gets a line of its own after them)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    domains: list[Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]] = Field(
        default_factory=list, max_length=50
    )


class ReminderPolicy(BaseModel):
    """Who gets reminders (``inkubators remind``) and how far ahead they look."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    roles: list[Role] = Field(default_factory=lambda: list[Role](["coordinator", "mentor"]))
    lead_days: StrictInt = Field(default=30, ge=0, le=366)
    decision_days: StrictInt = Field(default=90, ge=1, le=3660)


class PolicyFile(BaseModel):
    """The merged policy sections."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    cycle_defaults: CycleDefaults
    guards: dict[StrictStr, dict[StrictStr, Any]] = Field(default_factory=dict)
    roles: dict[Role, RolePolicy]
    eligibility: Eligibility = Eligibility()
    deadlines: dict[StrictStr, StrictInt] = Field(default_factory=dict)
    tokens: TokenPolicy = TokenPolicy()
    idempotency: IdempotencyPolicy = IdempotencyPolicy()
    #: no section: nothing tracks the cycles' spending and no consultation is refused by it
    budget: BudgetPolicy | None = None
    reports: ReportPolicy = ReportPolicy()
    reminders: ReminderPolicy = ReminderPolicy()
    documents: DocumentsPolicy = DocumentsPolicy()
    registry: RegistryPolicy = RegistryPolicy()


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
    texts = dict(files)
    for name, text in files:
        try:
            data = parse_yaml(text, name)
        except RulesFileError as exc:
            problems.append(str(exc))
            continue
        if data is None:
            continue
        at = Locator(name, text)
        if not isinstance(data, dict):
            problems.append(f"{name}: (top): expected a mapping of policy sections")
            continue
        for key, value in data.items():
            if key not in SECTIONS:
                problems.append(
                    f"{at((str(key),))}: unknown policy section (known: {', '.join(SECTIONS)})"
                )
            elif key in merged:
                problems.append(f"{at((key,))}: section already given in {origin[key]}")
            else:
                merged[key] = value
                origin[key] = name
    if problems:
        raise PolicyError(capped(problems))
    spec, found = schema_problems(PolicyFile, merged)
    if spec is None:
        # Point each problem at the file that holds its section.
        default = files[0][0] if files else "policy"
        locators = {name: Locator(name, texts.get(name)) for name in {default, *origin.values()}}
        raise PolicyError(
            capped(
                [
                    f"{locators[origin.get(str(loc[0]), default) if loc else default](loc)}: {msg}"
                    for loc, msg in found
                ]
            )
        )
    return Policy(spec=spec, files=tuple(files), sha256=policy_hash(tuple(files)), origins=origin)


def load_policy(directory: Path) -> Policy:
    """Load every ``*.yaml`` file of the policy directory; every file that cannot be read
    is named (checking the rest without it would only report its sections as missing)."""
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise PolicyError([f"{directory}: no policy files (*.yaml)"])
    files, problems = [], []
    for p in paths:
        name = f"{p.parent.name}/{p.name}"
        try:
            files.append((name, read_rules_file(p, name)))
        except RulesFileError as exc:
            problems.append(str(exc))
    if problems:
        raise PolicyError(capped(problems))
    return parse_policy(files)


__all__ = ["Policy", "PolicyFile", "load_policy", "parse_policy"]
