"""``policy check``: validate the declared files, or a candidate file among them."""

from __future__ import annotations

from pathlib import Path

from workflow.candidates import compile_candidate
from workflow.errors import DefinitionError
from workflow.rules import Rules, load_rules
from workflow.yamlfiles import RulesFileError, read_rules_file


def _declared(directory: Path, unreadable: dict[str, str]) -> list[tuple[str, str]]:
    """Each file's display name and text; one that cannot be read stands as empty text
    with its problem in ``unreadable``."""
    out = []
    for p in sorted(directory.glob("*.yaml")):
        name = f"{p.parent.name}/{p.name}"
        try:
            out.append((name, read_rules_file(p, name)))
        except RulesFileError as exc:
            out.append((name, ""))
            unreadable[name] = str(exc)
    return out


def check_files(states_dir: Path, policy_dir: Path, candidate: Path | None = None) -> str:
    """Compile the rules (with ``candidate`` standing in, see :mod:`workflow.candidates`).

    Works from the files' text, so a candidate that repairs a broken file checks clean.
    """
    rules: Rules
    if candidate is None:
        rules = load_rules(states_dir, policy_dir)
    else:
        unreadable: dict[str, str] = {}
        states = _declared(states_dir, unreadable)
        if len(states) != 1:
            raise DefinitionError([f"{states_dir}: expected exactly one states file"])
        policies = _declared(policy_dir, unreadable)
        rules = compile_candidate(states[0], policies, candidate, unreadable)
    spec = rules.states.spec
    return (
        f"OK: {len(spec.states)} states, {len(spec.transitions)} transitions "
        f"(states {rules.states_hash[:12]}), policy {rules.policy_hash[:12]}"
    )
