"""Declared files: every kind of invalid states or policy YAML gives its own exact message,
the repository's real files load, and the rules compile into one machine shared by all.

Each bad file is a fixture in ``tests/fixtures/bad_states`` or ``bad_policies``: a small
valid file (``tests/fixtures/mini_*.yaml``) with one defect, named after the defect.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import transitions.core

from tests.conftest import COORDINATOR, ROOT
from workflow import advance, enrolment, recording, registry, views
from workflow.definitions import load_states, parse_states
from workflow.errors import DefinitionError, PolicyError
from workflow.evidence import registry as evidence_kinds
from workflow.evidence.analysis import AnalysisIn
from workflow.policies import load_policy, parse_policy
from workflow.rules import Rules, compile_rules, load_rules
from workflow.runtime import Runtime
from workflow.schemas import CycleIn, OrganisationIn

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BAD_STATES = FIXTURES / "bad_states"
BAD_POLICIES = FIXTURES / "bad_policies"
YAML_BOOL = "is a YAML boolean (unquoted yes/no/on/off/true/false); quote it to use it as a name"
GUARDS_KNOWN = (
    "all_decisions_recorded, enough_consultations, needs_analysis_recorded, "
    "open_source_selected, reason_given, submitted_within_call, valid_application_drafted"
)

STATES_EXPECTED: dict[str, list[str]] = {
    "invalid_yaml": [
        "states/invalid_yaml.yaml: line 31, column 9: invalid YAML: "
        "expected ',' or ']', but got ':' (while parsing a flow sequence at line 30)"
    ],
    "not_a_mapping": ["states/not_a_mapping.yaml: (top): expected a mapping, got list"],
    "unknown_field": [
        "states/unknown_field.yaml: line 13, column 5: states[3].finall: unknown field"
    ],
    "unknown_dest": [
        "states/unknown_dest.yaml: line 36, column 5: transitions[3].dest: 'submited' is not a declared state",
        # the typo also orphans what lay behind it; each consequence is named
        "states/unknown_dest.yaml: line 9, column 5: states[2]: 'submitted' is unreachable from 'enrolled'",
        "states/unknown_dest.yaml: line 11, column 5: states[3]: 'outcome' is unreachable from 'enrolled'",
    ],
    "unknown_source": [
        "states/unknown_source.yaml: line 30, column 14: transitions[2].source[0]: 'sumbitted' is not a declared state",
        "states/unknown_source.yaml: line 11, column 5: states[3]: 'outcome' is unreachable from 'enrolled'",
    ],
    "unknown_initial": [
        "states/unknown_initial.yaml: line 3, column 1: initial: 'enroled' is not a declared state"
    ],
    "unknown_guard": [
        "states/unknown_guard.yaml: line 37, column 14: transitions[3].guards[0]: unknown guard "
        f"'submitted_in_call' (known: {GUARDS_KNOWN})"
    ],
    "unreachable_state": [
        "states/unreachable_state.yaml: line 17, column 5: states[5]: 'archived' is unreachable from 'enrolled'"
    ],
    "duplicate_trigger": [
        "states/duplicate_trigger.yaml: line 38, column 5: transitions[4].trigger: duplicate trigger 'withdraw' "
        "from state 'analysed' (also transitions[1])"
    ],
    "source_listed_twice": [
        "states/source_listed_twice.yaml: line 25, column 34: transitions[1].source[2]: 'analysed' is listed twice"
    ],
    "duplicate_state": [
        "states/duplicate_state.yaml: line 17, column 5: states[5].id: duplicate state 'analysed'"
    ],
    "dead_end": [
        "states/dead_end.yaml: line 9, column 5: states[2]: 'submitted' is not final but no transition leaves it"
    ],
    "final_state_left": [
        "states/final_state_left.yaml: line 25, column 45: transitions[1].source[3]: 'outcome' is final and "
        "cannot be left"
    ],
    "yaml11_boolean_state": [
        f"states/yaml11_boolean_state.yaml: line 14, column 5: states[4].id: false {YAML_BOOL}"
    ],
    "yaml11_boolean_trigger": [
        f"states/yaml11_boolean_trigger.yaml: line 18, column 5: transitions[0].trigger: true {YAML_BOOL}"
    ],
}

KINDS = ", ".join(k.name for k in evidence_kinds.kinds())
POLICY_EXPECTED: dict[str, list[str]] = {
    "invalid_yaml": [
        "policies/invalid_yaml.yaml: line 4, column 1: invalid YAML: "
        "found character '\\t' that cannot start any token"
    ],
    "unknown_section": [
        "policies/unknown_section.yaml: line 18, column 1: deadline: unknown policy section "
        "(known: cycle_defaults, guards, roles, eligibility, deadlines, tokens, idempotency, reports, reminders, documents, registry, budget)"
    ],
    "section_twice": [
        "policies/section_twice.yaml: line 2, column 1: deadlines: section already given in policies/mini_policy.yaml"
    ],
    "unknown_field": [
        "policies/unknown_field.yaml: line 15, column 5: roles.auditor.trigers: unknown field"
    ],
    "missing_roles": ["policies/missing_roles.yaml: roles: Field required"],
    "unknown_role": [
        "policies/unknown_role.yaml: line 14, column 3: roles.auditer: "
        "Input should be 'coordinator', 'mentor', 'auditor', 'admin' or 'representative'"
    ],
    "role_undeclared_trigger": [
        "policies/role_undeclared_trigger.yaml: line 11, column 25: roles.coordinator.triggers[1]: "
        "'aprove' is not a declared trigger"
    ],
    "evidence_kind_unknown": [
        "policies/evidence_kind_unknown.yaml: line 8, column 26: roles.coordinator.evidence[1]: "
        "'consultation' is not an evidence kind (it is now spelt 'consultations')",
        "policies/evidence_kind_unknown.yaml: line 8, column 40: roles.coordinator.evidence[2]: "
        "'application_update' is not an evidence kind (it is now spelt 'applications')",
        "policies/evidence_kind_unknown.yaml: line 8, column 60: roles.coordinator.evidence[3]: "
        f"'diary' is not an evidence kind (kinds: {KINDS})",
    ],
    "guard_unknown_trigger": [
        "policies/guard_unknown_trigger.yaml: line 6, column 3: guards.consulting: "
        "'consulting' is not a declared trigger"
    ],
    "guard_unknown_parameter": [
        "policies/guard_unknown_parameter.yaml: line 9, column 5: guards.consult.max_hours: no guard of "
        "'consult' takes this parameter (takes: min_consultations, min_hours)"
    ],
    "guard_invalid_value": [
        "policies/guard_invalid_value.yaml: line 8, column 5: guards.consult.min_hours: "
        "Input should be greater than or equal to 0"
    ],
    "deadline_unknown_state": [
        "policies/deadline_unknown_state.yaml: line 21, column 3: deadlines.archived: "
        "'archived' is not a declared state"
    ],
    "deadline_final_state": [
        "policies/deadline_final_state.yaml: line 21, column 3: deadlines.outcome: "
        "'outcome' is final; a final state has no deadline"
    ],
    "yaml11_boolean_key": [
        f"policies/yaml11_boolean_key.yaml: line 6, column 3: guards.true: true {YAML_BOOL}"
    ],
    "several_problems": [
        "policies/several_problems.yaml: line 12, column 25: roles.coordinator.triggers[1]: "
        "'aprove' is not a declared trigger",
        "policies/several_problems.yaml: line 9, column 5: guards.consult.max_hours: no guard of 'consult' "
        "takes this parameter (takes: min_consultations, min_hours)",
        "policies/several_problems.yaml: line 21, column 3: deadlines.outcome: "
        "'outcome' is final; a final state has no deadline",
    ],
}

# Loaded beside mini_policy.yaml instead of alone.
BESIDE_MINI = {"section_twice"}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_every_bad_fixture_has_its_expected_message() -> None:
    """A fixture file without an expectation (or the reverse) is a test that never runs."""
    assert {p.stem for p in BAD_STATES.glob("*.yaml")} == set(STATES_EXPECTED)
    assert {p.stem for p in BAD_POLICIES.glob("*.yaml")} == set(POLICY_EXPECTED)


def test_the_mini_fixtures_are_valid() -> None:
    """Otherwise a bad fixture could fail for a reason other than its one defect."""
    states = parse_states(_read(FIXTURES / "mini_states.yaml"), "states/mini_states.yaml")
    assert states.state_ids == ["enrolled", "analysed", "submitted", "outcome", "withdrawn"]
    real_states = load_states(ROOT / "states")
    policy = parse_policy([("policies/mini_policy.yaml", _read(FIXTURES / "mini_policy.yaml"))])
    compile_rules(real_states, policy)


@pytest.mark.parametrize("name", sorted(STATES_EXPECTED))
def test_bad_states_file_names_file_path_and_problem(name: str) -> None:
    with pytest.raises(DefinitionError) as exc:
        parse_states(_read(BAD_STATES / f"{name}.yaml"), f"states/{name}.yaml")
    assert exc.value.problems == STATES_EXPECTED[name]
    assert str(exc.value) == "\n".join(STATES_EXPECTED[name])


@pytest.mark.parametrize("name", sorted(POLICY_EXPECTED))
def test_bad_policy_file_names_file_path_and_problem(name: str) -> None:
    files = [(f"policies/{name}.yaml", _read(BAD_POLICIES / f"{name}.yaml"))]
    if name in BESIDE_MINI:
        files.insert(0, ("policies/mini_policy.yaml", _read(FIXTURES / "mini_policy.yaml")))
    states = load_states(ROOT / "states")
    with pytest.raises(PolicyError) as exc:
        compile_rules(states, parse_policy(files))
    assert exc.value.problems == POLICY_EXPECTED[name]


def test_bad_states_file_through_the_directory_loader(tmp_path: Path) -> None:
    """``load_rules`` on a directory names the file as ``states/<name>``."""
    (tmp_path / "states").mkdir()
    (tmp_path / "states" / "incubation.yaml").write_text(
        _read(BAD_STATES / "unknown_dest.yaml"), encoding="utf-8"
    )
    with pytest.raises(DefinitionError) as exc:
        load_rules(tmp_path / "states", ROOT / "policies")
    assert exc.value.problems[0] == (
        "states/incubation.yaml: line 36, column 5: transitions[3].dest: "
        "'submited' is not a declared state"
    )


def test_states_directory_must_hold_exactly_one_file(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(_read(FIXTURES / "mini_states.yaml"), encoding="utf-8")
    with pytest.raises(DefinitionError) as exc:
        load_states(tmp_path)
    assert exc.value.problems == [
        f"{tmp_path}: expected exactly one states file, found a.yaml, b.yaml"
    ]


def test_policy_sections_may_be_split_across_files(tmp_path: Path) -> None:
    text = _read(FIXTURES / "mini_policy.yaml")
    head, tail = text.split("eligibility:")
    (tmp_path / "a.yaml").write_text(head, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("eligibility:" + tail, encoding="utf-8")
    policy = load_policy(tmp_path)
    assert policy.origins["roles"].endswith("/a.yaml")
    assert policy.origins["deadlines"].endswith("/b.yaml")
    assert policy.spec.deadlines == {"enrolled": 21, "submitted": 180}


def test_real_files_load(rules: Rules) -> None:
    assert rules.states.state_ids == [
        "enrolled",
        "analysed",
        "consulted",
        "sources_selected",
        "application_drafted",
        "submitted",
        "outcome",
        "withdrawn",
    ]
    assert rules.states.triggers == (
        "analyse",
        "consult",
        "select_sources",
        "draft_application",
        "submit",
        "record_outcome",
        "withdraw",
    )
    assert rules.is_final("outcome")
    assert rules.is_final("withdrawn")
    assert rules.policy.spec.cycle_defaults.capacity == 15
    assert rules.policy.spec.cycle_defaults.budget_eur == Decimal("10000.00")
    assert rules.lookup("withdraw", "submitted") is not None
    assert rules.lookup("withdraw", "outcome") is None
    assert len(rules.states_hash) == 64
    assert len(rules.policy_hash) == 64


def test_diagram_is_drawn_from_the_one_machine(rules: Rules) -> None:
    diagram = rules.mermaid()
    assert "stateDiagram" in diagram
    assert "application_drafted --> submitted: submit" in diagram


def test_machine_built_once_per_rules_and_never_per_case(
    sqlite_rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cases share ``rules.machine``; firing, listing and showing cases build no Machine."""
    rt = sqlite_rt
    machine = rt.rules.machine
    assert len(machine.models) == 1  # the diagram anchor only, no case attached
    built: list[object] = []
    original = transitions.core.Machine.__init__

    def counting_init(self: object, *args: object, **kwargs: object) -> None:
        built.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(transitions.core.Machine, "__init__", counting_init)
    cycle = registry.create_cycle(
        rt, COORDINATOR, CycleIn(name="C", starts_on=date(2023, 3, 1), ends_on=date(2023, 6, 30))
    ).id
    case_ids = []
    for n in range(3):
        org = registry.create_organisation(
            rt,
            COORDINATOR,
            OrganisationIn(name=f"B{n}", reg_no=f"4000000000{n}", legal_form="association"),
        ).id
        case_id = enrolment.enrol(rt, COORDINATOR, org, cycle)
        recording.record(
            rt, COORDINATOR, case_id, AnalysisIn(findings="f", need_areas=["fundraising"])
        )
        advance.fire(rt, COORDINATOR, case_id, "analyse")
        views.case_detail(rt, COORDINATOR, case_id)
        case_ids.append(case_id)
    views.list_cases(rt, COORDINATOR)
    assert built == []
    assert rt.rules.machine is machine
    assert len(machine.models) == 1
    # the counter does see a machine being built: compiling a version builds exactly one
    compile_rules(rt.rules.states, rt.rules.policy)
    assert len(built) == 1


def test_loading_again_compiles_a_new_machine_for_the_new_version() -> None:
    """A definition version is compiled once; a second load is a separate version."""
    a = load_rules(ROOT / "states", ROOT / "policies")
    b = load_rules(ROOT / "states", ROOT / "policies")
    assert a.machine is not b.machine
    assert a.states_hash == b.states_hash
    assert a.policy_hash == b.policy_hash
