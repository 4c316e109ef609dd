"""The declared workflow (``states/*.yaml``): schema, typed model and graph checks.

Loading runs in three stages, each reporting every problem it finds with the file and
the path inside it: YAML, pydantic schema, then the graph (declared states, registered
guards, reachability, one transition per trigger and source).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, field_validator

from workflow.errors import DefinitionError
from workflow.guards.registry import REGISTRY
from workflow.yamlfiles import RulesFileError, parse_yaml, read_rules_file, sha256_text
from workflow.yamlschema import Locator, capped, validate

ID_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class Label(BaseModel):
    """A human name in both of the programme's languages."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    lv: StrictStr = Field(min_length=1, max_length=120)
    en: StrictStr = Field(min_length=1, max_length=120)


class StateSpec(BaseModel):
    """One declared state."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    id: StrictStr = Field(pattern=ID_PATTERN)
    label: Label
    final: StrictBool = False


class TransitionSpec(BaseModel):
    """One declared transition: a trigger from some states to one state, behind guards."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    trigger: StrictStr = Field(pattern=ID_PATTERN)
    label: Label
    source: list[StrictStr] = Field(min_length=1)
    dest: StrictStr
    guards: list[StrictStr] = Field(default_factory=list)

    @field_validator("source", mode="before")
    @classmethod
    def _one_source_as_list(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v


class StatesFile(BaseModel):
    """The whole states file as written."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    id: StrictStr = Field(pattern=ID_PATTERN)
    initial: StrictStr
    states: list[StateSpec] = Field(min_length=1)
    transitions: list[TransitionSpec] = Field(min_length=1)
    migrations: dict[StrictStr, StrictStr] = Field(default_factory=dict)


@dataclass(frozen=True)
class StatesDefinition:
    """A validated states file with its exact text and hash."""

    spec: StatesFile
    text: str
    sha256: str
    source: str

    @property
    def state_ids(self) -> list[str]:
        """State ids in declared order."""
        return [s.id for s in self.spec.states]

    def state(self, state_id: str) -> StateSpec:
        """The declared state of that id."""
        for s in self.spec.states:
            if s.id == state_id:
                return s
        raise KeyError(state_id)

    def trigger_label(self, trigger: str) -> Label:
        """The label of the first transition that declares ``trigger``."""
        for t in self.spec.transitions:
            if t.trigger == trigger:
                return t.label
        raise KeyError(trigger)

    @cached_property
    def triggers(self) -> tuple[str, ...]:
        """Trigger ids in declared order, each once (computed once: the hot path asks)."""
        return tuple(dict.fromkeys(t.trigger for t in self.spec.transitions))


def graph_problems(spec: StatesFile, source: str, text: str | None = None) -> list[str]:
    """Every structural problem of a schema-valid states file (with lines from ``text``)."""
    at = Locator(source, text)
    problems: list[str] = []
    declared: dict[str, int] = {}
    for i, s in enumerate(spec.states):
        if s.id in declared:
            problems.append(f"{at(('states', i, 'id'))}: duplicate state {s.id!r}")
        declared.setdefault(s.id, i)
    if spec.initial not in declared:
        problems.append(f"{at(('initial',))}: {spec.initial!r} is not a declared state")
    seen: dict[tuple[str, str], int] = {}
    edges: dict[str, set[str]] = {sid: set() for sid in declared}
    for i, t in enumerate(spec.transitions):
        if t.dest not in declared:
            problems.append(f"{at(('transitions', i, 'dest'))}: {t.dest!r} is not a declared state")
        for j, src in enumerate(t.source):
            where = at(("transitions", i, "source", j))
            if src not in declared:
                problems.append(f"{where}: {src!r} is not a declared state")
                continue
            if spec.states[declared[src]].final:
                problems.append(f"{where}: {src!r} is final and cannot be left")
            key = (t.trigger, src)
            if seen.get(key) == i:
                problems.append(f"{where}: {src!r} is listed twice")
            elif key in seen:
                problems.append(
                    f"{at(('transitions', i, 'trigger'))}: duplicate trigger {t.trigger!r} "
                    f"from state {src!r} (also transitions[{seen[key]}])"
                )
            seen.setdefault(key, i)
            if t.dest in declared:
                edges[src].add(t.dest)
        for j, g in enumerate(t.guards):
            if g not in REGISTRY:
                known = ", ".join(sorted(REGISTRY))
                problems.append(
                    f"{at(('transitions', i, 'guards', j))}: unknown guard {g!r} (known: {known})"
                )
    reached = _reachable({spec.initial}, edges) if spec.initial in declared else set(declared)
    finals = {s.id for s in spec.states if s.final}
    ending = _reachable(finals, _reversed(edges))
    if not finals:
        problems.append(f"{at(('states',))}: no state is final, so no case could ever finish")
    for i, s in enumerate(spec.states):
        if s.id not in reached:
            problems.append(f"{at(('states', i))}: {s.id!r} is unreachable from {spec.initial!r}")
    dead_ends = {s.id for s in spec.states if not s.final and not edges.get(s.id)}
    for i, s in enumerate(spec.states):
        if s.id in dead_ends:
            problems.append(
                f"{at(('states', i))}: {s.id!r} is not final but no transition leaves it"
            )
    for i, s in enumerate(spec.states):
        if s.id in reached and s.id not in ending and s.id not in dead_ends and finals:
            problems.append(
                f"{at(('states', i))}: no final state can be reached from {s.id!r}"
                ": a case there could never finish"
            )
    for old, new in spec.migrations.items():
        if old in declared:
            problems.append(f"{at(('migrations', old))}: {old!r} is still a declared state")
        if new not in declared:
            problems.append(f"{at(('migrations', old))}: {new!r} is not a declared state")
    return capped(problems)


def _reachable(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    """Every state reachable from ``start`` along ``edges`` (``start`` included)."""
    reached = set(start)
    queue = deque(start)
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    return reached


def _reversed(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    back: dict[str, set[str]] = {}
    for src, dests in edges.items():
        for dest in dests:
            back.setdefault(dest, set()).add(src)
    return back


def parse_states(text: str, source: str) -> StatesDefinition:
    """Validate a states file's text; raise :class:`DefinitionError` with every problem."""
    try:
        data = parse_yaml(text, source)
    except RulesFileError as exc:
        raise DefinitionError([str(exc)]) from exc
    spec, problems = validate(StatesFile, data, source, text)
    if spec is None:
        raise DefinitionError(problems)
    problems = graph_problems(spec, source, text)
    if problems:
        raise DefinitionError(problems)
    return StatesDefinition(spec=spec, text=text, sha256=sha256_text(text), source=source)


def load_states(directory: Path) -> StatesDefinition:
    """Load the one ``*.yaml`` file of the states directory."""
    files = sorted(directory.glob("*.yaml"))
    if len(files) != 1:
        names = ", ".join(f.name for f in files) or "none"
        raise DefinitionError([f"{directory}: expected exactly one states file, found {names}"])
    source = _display(files[0])
    try:
        text = read_rules_file(files[0], source)
    except RulesFileError as exc:
        raise DefinitionError([str(exc)]) from exc
    return parse_states(text, source)


def _display(path: Path) -> str:
    """A short file name for messages: ``states/incubation.yaml``."""
    return f"{path.parent.name}/{path.name}"
