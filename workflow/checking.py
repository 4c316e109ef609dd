"""``policy check``: validate the declared files, or a candidate file among them."""

from __future__ import annotations

from pathlib import Path

from workflow.candidates import compile_candidate
from workflow.errors import DefinitionError
from workflow.rules import Rules, load_rules
from workflow.yamlfiles import read_text


def _declared(directory: Path) -> list[tuple[str, str]]:
    return [(f"{p.parent.name}/{p.name}", read_text(p)) for p in sorted(directory.glob("*.yaml"))]


def check_files(states_dir: Path, policy_dir: Path, candidate: Path | None = None) -> str:
    """Compile the rules (with ``candidate`` standing in, see :mod:`workflow.candidates`).

    Works from the files' text, so a candidate that repairs a broken file checks clean.
    """
    rules: Rules
    if candidate is None:
        rules = load_rules(states_dir, policy_dir)
    else:
        states = _declared(states_dir)
        if len(states) != 1:
            raise DefinitionError([f"{states_dir}: expected exactly one states file"])
        rules = compile_candidate(states[0], _declared(policy_dir), candidate)
    spec = rules.states.spec
    return (
        f"OK: {len(spec.states)} states, {len(spec.transitions)} transitions "
        f"(states {rules.states_hash[:12]}), policy {rules.policy_hash[:12]}"
    )
