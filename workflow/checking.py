"""``policy check``: validate the declared files, or a candidate file against the others."""

from __future__ import annotations

import tempfile
from pathlib import Path
from shutil import copy2

from workflow.definitions import load_states
from workflow.policies import load_policy
from workflow.rules import compile_rules


def check_files(states_dir: Path, policy_dir: Path, candidate: Path | None = None) -> str:
    """Compile the rules, with ``candidate`` standing in for its namesake; raise on problems.

    A candidate that parses as a states file (it has ``transitions``) replaces the states
    file; otherwise it replaces the policy file of the same name.
    """
    with tempfile.TemporaryDirectory() as tmp:
        sdir, pdir = states_dir, policy_dir
        if candidate is not None:
            text = candidate.read_text(encoding="utf-8")
            is_states = "\ntransitions:" in "\n" + text
            target_dir = Path(tmp) / ("states" if is_states else "policies")
            source_dir = states_dir if is_states else policy_dir
            target_dir.mkdir()
            for f in source_dir.glob("*.yaml"):
                if not is_states and f.name != candidate.name:
                    copy2(f, target_dir / f.name)
            copy2(candidate, target_dir / candidate.name)
            if is_states:
                sdir = target_dir
            else:
                pdir = target_dir
        states = load_states(sdir)
        policy = load_policy(pdir)
        rules = compile_rules(states, policy)
    return (
        f"OK: {len(states.spec.states)} states, {len(states.spec.transitions)} transitions "
        f"(states {rules.states_hash[:12]}), policy {rules.policy_hash[:12]}"
    )
