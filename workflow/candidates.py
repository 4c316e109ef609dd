"""A candidate states or policy file standing in among the declared files, before it is saved.

One rule for ``policy check FILE`` and ``policy preview FILE``: what the candidate is comes
from its content, never its name (:func:`classify`); a states candidate replaces the
states file; a policy candidate replaces the policy file of the same name, or else every
policy file holding one of the sections it defines (so ``mine.yaml`` with ``roles:``
replaces the file that holds ``roles`` today). An empty candidate, or one that is neither,
is refused: checking it would only check the files already in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from workflow.definitions import StatesFile, parse_states
from workflow.errors import DefinitionError
from workflow.policies import SECTIONS, parse_policy
from workflow.rules import Rules, compile_rules
from workflow.yamlfiles import RulesFileError, parse_yaml, read_rules_file

NamedText = tuple[str, str]
Kind = Literal["states", "policy"]
STATES_KEYS = tuple(StatesFile.model_fields)


def _parsed(text: str, name: str) -> Any:
    try:
        return parse_yaml(text, name)
    except RulesFileError:
        return None


def classify(text: str, name: str) -> Kind:
    """Whether the candidate is a states file or a policy file, by its top-level keys;
    raise :class:`DefinitionError` if it does not parse, is empty, or is neither."""
    try:
        data = parse_yaml(text, name)
    except RulesFileError as exc:
        raise DefinitionError([str(exc)]) from exc
    if data is None or data == {}:
        raise DefinitionError([f"{name}: (top): the file is empty; nothing to check"])
    if not isinstance(data, dict):
        got = type(data).__name__
        raise DefinitionError([f"{name}: (top): expected a mapping, got {got}"])
    states = [k for k in data if k in STATES_KEYS]
    policy = [k for k in data if k in SECTIONS]
    if states and policy:
        raise DefinitionError(
            [
                f"{name}: (top): mixes states keys ({', '.join(states)}) and policy sections "
                f"({', '.join(policy)}); a file is one or the other"
            ]
        )
    if not (states or policy):
        raise DefinitionError(
            [
                f"{name}: (top): neither a states file (keys: {', '.join(STATES_KEYS)}) nor a "
                f"policy file (sections: {', '.join(SECTIONS)})"
            ]
        )
    return "states" if states else "policy"


def substitute(
    states: NamedText,
    policy_files: list[NamedText],
    candidate: NamedText,
    kind: Kind | None = None,
) -> tuple[NamedText, list[NamedText]]:
    """The declared files with the candidate (of ``kind``, else classified here) standing
    in for what it replaces."""
    cname, ctext = candidate
    if (kind or classify(ctext, cname)) == "states":
        folder = Path(states[0]).parent.name or "states"
        return (f"{folder}/{cname}", ctext), policy_files
    folder = Path(policy_files[0][0]).parent.name if policy_files else "policies"
    names = [Path(n).name for n, _ in policy_files]
    if cname in names:
        kept = [f for f in policy_files if Path(f[0]).name != cname]
    else:
        data = _parsed(ctext, cname)
        sections = set(data) if isinstance(data, dict) else set()
        kept = []
        for name, text in policy_files:
            theirs = _parsed(text, name)
            if not (isinstance(theirs, dict) and sections & set(theirs)):
                kept.append((name, text))
    return states, sorted([*kept, (f"{folder}/{cname}", ctext)])


def compile_candidate(
    states: NamedText,
    policy_files: list[NamedText],
    candidate: Path,
    unreadable: Mapping[str, str] | None = None,
) -> Rules:
    """Compile the declared files with ``candidate`` in place; raise DefinitionError if invalid.

    ``unreadable`` maps declared files that could not be read to why: a problem only if
    the candidate does not replace them (so a candidate that repairs one checks clean).
    """
    try:
        text = read_rules_file(candidate, str(candidate))
    except RulesFileError as exc:
        raise DefinitionError([str(exc)]) from exc
    kind = classify(text, str(candidate))
    (sname, stext), pfiles = substitute(states, policy_files, (candidate.name, text), kind)
    if kind == "states":
        kept = [n for n, _ in pfiles]
    else:  # the candidate stands where a declared file of its name stood
        kept = [sname, *(n for n, _ in pfiles if Path(n).name != candidate.name)]
    still = [(unreadable or {}).get(n) for n in kept]
    if any(still):
        raise DefinitionError([p for p in still if p])
    return compile_rules(parse_states(stext, sname), parse_policy(pfiles))


def candidate_rules(active: Rules, candidate: Path) -> Rules:
    """The rules in force with ``candidate`` standing in; raise if invalid."""
    return compile_candidate(
        (active.states.source, active.states.text), list(active.policy.files), candidate
    )
