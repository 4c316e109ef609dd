"""A candidate states or policy file standing in among the declared files, before it is saved.

One rule for ``policy check FILE`` and ``policy preview FILE``: a candidate that declares
``transitions`` replaces the states file; a policy candidate replaces the policy file of
the same name, or else every policy file holding one of the sections it defines (so
``mine.yaml`` with ``roles:`` replaces the file that holds ``roles`` today).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workflow.definitions import parse_states
from workflow.policies import parse_policy
from workflow.rules import Rules, compile_rules
from workflow.yamlfiles import parse_yaml

NamedText = tuple[str, str]


def _parsed(text: str, name: str) -> Any:
    try:
        return parse_yaml(text, name)
    except ValueError:
        return None


def is_states_file(text: str, name: str, states_name: str) -> bool:
    """A states file declares ``transitions``; an unreadable one is judged by its name."""
    data = _parsed(text, name)
    if data is None:
        return Path(states_name).name == name
    return isinstance(data, dict) and "transitions" in data


def substitute(
    states: NamedText, policy_files: list[NamedText], candidate: NamedText
) -> tuple[NamedText, list[NamedText]]:
    """The declared files with the candidate standing in for what it replaces."""
    cname, ctext = candidate
    if is_states_file(ctext, cname, states[0]):
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


def compile_candidate(states: NamedText, policy_files: list[NamedText], candidate: Path) -> Rules:
    """Compile the declared files with ``candidate`` in place; raise DefinitionError if invalid."""
    text = candidate.read_text(encoding="utf-8")
    (sname, stext), pfiles = substitute(states, policy_files, (candidate.name, text))
    return compile_rules(parse_states(stext, sname), parse_policy(pfiles))


def candidate_rules(active: Rules, candidate: Path) -> Rules:
    """The rules in force with ``candidate`` standing in; raise if invalid."""
    return compile_candidate(
        (active.states.source, active.states.text), list(active.policy.files), candidate
    )
