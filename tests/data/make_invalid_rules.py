"""Write the corpus of invalid rules files in ``tests/data/invalid_rules/`` and its manifest.

Run from the repository root: ``.venv/bin/python tests/data/make_invalid_rules.py``. Each
file is a valid states or policy file (the bases below) with one defect, or bytes that
are no rules file at all. The manifest (``manifest.json``) gives for each file what it
stands in for (``states`` or ``policy``), the text its refusal must contain, and the line
it must name where the defect has one; the line is computed here from where the defect
was put, never from what the checker says. ``tests/policies/test_invalid_rules.py``
checks that every file is refused with that message, and that none changes the rules in
force.

The bases are written out here rather than read from ``states/`` and ``policies/`` so the
corpus does not drift with the programme's own files; the policy base names no evidence
kinds or actions, so renaming those cannot mask the defect a file carries.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent / "invalid_rules"

BASE_STATES = """\
# The incubation workflow (a copy for the invalid-files corpus).
id: incubation
initial: enrolled

states:
  - id: enrolled
    label: {lv: Uzņemta, en: Enrolled}
  - id: analysed
    label: {lv: Darbība izanalizēta, en: Analysed}
  - id: consulted
    label: {lv: Konsultēta, en: Consulted}
  - id: sources_selected
    label: {lv: Finansējuma avoti atlasīti, en: Funding sources selected}
  - id: application_drafted
    label: {lv: Pieteikums sagatavots, en: Application drafted}
  - id: submitted
    label: {lv: Pieteikums iesniegts, en: Application submitted}
  - id: outcome
    label: {lv: Rezultāts saņemts, en: Outcome recorded}
    final: true
  - id: withdrawn
    label: {lv: Izstājusies, en: Withdrawn}
    final: true

transitions:
  - trigger: analyse
    label: {lv: Apstiprināt analīzi, en: Confirm analysis}
    source: [enrolled]
    dest: analysed
    guards: [needs_analysis_recorded]
  - trigger: consult
    label: {lv: Noslēgt konsultācijas, en: Complete consultations}
    source: [analysed]
    dest: consulted
    guards: [enough_consultations]
  - trigger: select_sources
    label: {lv: Apstiprināt finansējuma avotus, en: Confirm funding sources}
    source: [consulted]
    dest: sources_selected
    guards: [open_source_selected]
  - trigger: draft_application
    label: {lv: Apstiprināt pieteikuma projektu, en: Confirm application draft}
    source: [sources_selected]
    dest: application_drafted
    guards: [valid_application_drafted]
  - trigger: submit
    label: {lv: Atzīmēt kā iesniegtu, en: Mark as submitted}
    source: [application_drafted]
    dest: submitted
    guards: [submitted_within_call]
  - trigger: record_outcome
    label: {lv: Reģistrēt rezultātu, en: Record outcome}
    source: [submitted]
    dest: outcome
    guards: [all_decisions_recorded]
  - trigger: withdraw
    label: {lv: Izstāties no programmas, en: Withdraw}
    source: [enrolled, analysed, consulted, sources_selected, application_drafted, submitted]
    dest: withdrawn
    guards: [reason_given]
"""

BASE_POLICY = """\
# Programme policy (a copy for the invalid-files corpus): Liepājas NVO inkubators.
cycle_defaults:
  budget_eur: 10000.00
  capacity: 15

guards:
  consult:
    min_consultations: 1
    min_hours: 2

roles:
  coordinator:
    triggers: [analyse, consult, select_sources, draft_application, submit, record_outcome, withdraw]
    case_scope: all
  mentor:
    triggers: []
    case_scope: assigned
  auditor:
    triggers: []
    case_scope: all

eligibility:
  excluded_fields: [real_estate_management]
  allowed_legal_forms: [association, foundation]
  max_cycles_per_organisation: 3

deadlines:
  enrolled: 21
  analysed: 30
  consulted: 30
  sources_selected: 45
  application_drafted: 120
  submitted: 180
"""

BASES = {"states": BASE_STATES, "policy": BASE_POLICY}
ONE_MB = 1_000_000


@dataclass(frozen=True)
class Case:
    """One invalid file and what its refusal must say."""

    file: str
    kind: str  # what it stands in for: "states" or "policy"
    expect: str  # text the refusal must contain (as a candidate for `policy check`)
    line: int | None  # the line the refusal must name, where the defect has one
    declared: str | None = None  # what the refusal says instead as the declared file
    data: bytes = b""


def line_of(text: str, marker: str) -> int:
    """1-based line of the first ``marker`` in ``text``."""
    assert marker in text, marker
    return text[: text.index(marker)].count("\n") + 1


CASES: list[Case] = []


def add(
    name: str,
    kind: str,
    data: str | bytes,
    expect: str,
    line: int | None = None,
    declared: str | None = None,
) -> None:
    """Record one file (``kind-name.yaml``)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    file = f"{kind}-{name}.yaml"
    assert all(c.file != file for c in CASES), file
    CASES.append(Case(file, kind, expect, line, declared, raw))


def edit(
    name: str,
    kind: str,
    old: str,
    new: str,
    expect: str,
    at: str | None = None,
    declared: str | None = None,
) -> None:
    """The base of ``kind`` with ``old`` replaced by ``new``; the line is that of ``at``
    in the result (no line when ``at`` is None)."""
    base = BASES[kind]
    assert base.count(old) >= 1, (name, old)
    text = base.replace(old, new, 1)
    add(name, kind, text, expect, line_of(text, at) if at else None, declared)


# --- cannot be read: size ---------------------------------------------------------------


def huge() -> None:
    pad = "# " + "x" * 97 + "\n"
    filler = pad * (ONE_MB // len(pad) + 1)
    add("huge-comments", "policy", BASE_POLICY + filler, "over the limit of 1,000,000 bytes")
    add("huge-states", "states", BASE_STATES + filler, "over the limit of 1,000,000 bytes")
    add(
        "huge-list",
        "policy",
        BASE_POLICY + "  x: [" + "1, " * (ONE_MB // 3) + "]\n",
        "over the limit of 1,000,000 bytes",
    )
    add("huge-one-byte-over", "policy", b"#" * ONE_MB + b"\n", "1,000,001 bytes is over the limit")


# --- cannot be decoded ------------------------------------------------------------------


def encodings() -> None:
    utf8 = "is not valid UTF-8; rules files must be saved as UTF-8"
    for kind, marker in (("policy", "Liepājas"), ("states", "Uzņemta")):
        base = BASES[kind]
        add(f"windows-1257-{kind}", kind, base.encode("cp1257"), utf8, line_of(base, marker))
    # one Latvian label saved from another program into an otherwise UTF-8 file
    label = "Reģistrēt rezultātu"
    text = BASE_STATES.replace(label, "@@")
    add(
        "windows-1257-one-label",
        "states",
        text.encode().replace(b"@@", label.encode("cp1257")),
        utf8,
        line_of(text, "@@"),
    )
    add(
        "latin-1",
        "policy",
        BASE_POLICY.replace("Liepājas", "Liepajas café").encode("latin-1"),
        utf8,
        line_of(BASE_POLICY, "Liepājas"),
    )
    bad_bytes = {
        "lone-continuation-byte": b"\x80",
        "overlong-slash": b"\xc0\xaf",
        "encoded-surrogate": b"\xed\xa0\x80",
        "truncated-sequence": b"\xe2\x82",
        "byte-ff": b"\xff",
        "over-unicode-range": b"\xf5\x80\x80\x80",
    }
    for name, raw in bad_bytes.items():
        text = BASE_POLICY.replace("real_estate_management", "@@")
        add(
            name,
            "policy",
            text.encode().replace(b"@@", b"real_estate" + raw),
            utf8,
            line_of(text, "@@"),
        )
    text = BASE_POLICY + "  "
    add("truncated-at-end", "policy", BASE_POLICY.encode() + b"\xc5", utf8, text.count("\n") + 1)
    for kind in ("policy", "states"):
        add(f"utf-16-bom-{kind}", kind, BASES[kind].encode("utf-16"), "the file is UTF-16")
    add("utf-16-be-bom", "policy", b"\xfe\xff" + BASE_POLICY.encode("utf-16-be"), "UTF-16")
    add("utf-16-le-no-bom", "policy", BASE_POLICY.encode("utf-16-le"), "a NUL byte", 1)
    add("utf-16-be-no-bom", "states", BASE_STATES.encode("utf-16-be"), "a NUL byte", 1)
    add("utf-32-bom", "policy", BASE_POLICY.encode("utf-32"), "the file is UTF-32")
    text = BASE_POLICY.replace("capacity: 15", "capacity: 1@@5")
    add("nul-in-value", "policy", text.replace("@@", "\0"), "a NUL byte", line_of(text, "@@"))
    add("nul-first", "states", "\0" + BASE_STATES, "a NUL byte", 1)
    add("nul-only", "policy", b"\0" * 64, "a NUL byte", 1)
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xffa"
    add("png-image", "policy", png, "not valid UTF-8", 1)
    add(
        "gzip-archive",
        "states",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00" * 20,
        "not valid UTF-8",
        1,
    )
    for name, char in (
        ("bell", "\x07"),
        ("escape", "\x1b"),
        ("delete", "\x7f"),
        ("c1-control", "\x81"),
    ):
        text = BASE_POLICY.replace("capacity: 15", "capacity: 1@@5")
        add(
            f"control-{name}",
            "policy",
            text.replace("@@", char),
            f"character U+{ord(char):04X} is not allowed",
            line_of(text, "@@"),
        )
    text = BASE_STATES.replace("label: {lv: Uzņemta", "label: {lv: Uz@@ņemta")
    add("control-in-label", "states", text.replace("@@", "\x0b"), "U+000B", line_of(text, "@@"))


# --- cannot be parsed -------------------------------------------------------------------


def syntax() -> None:
    bad = "invalid YAML"
    edit("unclosed-flow-list", "policy", "  consult:\n", "  consult: [\n", bad, "    min_hours")
    edit(
        "unclosed-flow-map",
        "states",
        "{lv: Uzņemta, en: Enrolled}",
        "{lv: Uzņemta, en: Enrolled",
        bad,
        "  - id: analysed",
    )
    edit(
        "tab-indent",
        "policy",
        "  capacity: 15",
        "\tcapacity: 15",
        "found character '\\t'",
        "\tcapacity",
    )
    edit("bad-indent", "policy", "  capacity: 15", "   capacity: 15", bad, "   capacity")
    edit("unclosed-double-quote", "states", "dest: outcome", 'dest: "outcome', bad)
    edit("unclosed-single-quote", "policy", "enrolled: 21", "enrolled: '21", bad)
    edit(
        "colon-in-plain-value",
        "policy",
        "capacity: 15",
        "capacity: 15: 16",
        "mapping values are not allowed",
        "capacity: 15: 16",
    )
    edit(
        "undefined-alias",
        "policy",
        "triggers: []\n    case_scope: assigned",
        "triggers: *mentor_triggers\n    case_scope: assigned",
        "found undefined alias",
        "*mentor_triggers",
    )
    edit(
        "second-document",
        "policy",
        "deadlines:",
        "---\ndeadlines:",
        "but found another document",
        "---",
    )
    edit(
        "yaml-2-directive",
        "policy",
        "# Programme",
        "%YAML 2.0\n---\n# Programme",
        "found incompatible YAML document",
        "%YAML",
    )
    edit(
        "unknown-directive-only",
        "states",
        "# The incubation",
        "%FOO bar\n# The incubation",
        "expected '<document start>'",
    )
    edit("stray-dash", "states", "initial: enrolled", "initial: enrolled\n- oops", bad, "- oops")
    edit(
        "list-then-key",
        "policy",
        "    case_scope: all\n  mentor:",
        "    - all\n    case_scope: all\n  mentor:",
        bad,
        "    - all",
    )
    edit(
        "unbalanced-bracket",
        "states",
        "source: [analysed]",
        "source: [analysed]]",
        bad,
        "source: [analysed]]",
    )
    edit(
        "block-scalar-bad-indicator",
        "policy",
        "capacity: 15",
        "capacity: |9x\n    15",
        bad,
        "capacity: |9x",
    )
    edit("anchor-without-node", "policy", "capacity: 15", "capacity: &", bad)
    edit(
        "duplicate-anchor",
        "policy",
        "  capacity: 15",
        "  capacity: &n 15\n  spare: &n 16",
        "duplicate anchor 'n'",
        "  spare",
    )
    edit(
        "question-mark-complex-key",
        "policy",
        "guards:\n",
        "guards:\n  ? [consult]\n  : {}\n",
        "found unhashable key",
        "  ? [consult]",
    )
    edit(
        "flow-key-list",
        "states",
        "id: incubation",
        "id: incubation\n[a, b]: c",
        "found unhashable key",
        "[a, b]",
    )


def tags() -> None:
    danger = {
        "python-object-apply": "!!python/object/apply:os.system ['echo pwned']",
        "python-object": "!!python/object:collections.OrderedDict {}",
        "python-object-new": "!!python/object/new:builtins.str ['x']",
        "python-name": "!!python/name:os.system",
        "python-module": "!!python/module:os",
        "python-tuple": "!!python/tuple [1, 2]",
        "python-bytes": "!!python/bytes 'AAAA'",
        "python-str": "!!python/str 'x'",
        "local-tag": "!Secret 15",
        "verbatim-tag": "!<tag:example.com,2024:money> 15",
    }
    for name, value in danger.items():
        edit(
            f"tag-{name}",
            "policy",
            "capacity: 15",
            f"capacity: {value}",
            "is not allowed: rules files are plain data",
            f"capacity: {value[:5]}",
        )
    edit(
        "tag-python-in-states",
        "states",
        "initial: enrolled",
        "initial: !!python/object/apply:subprocess.check_output [['id']]",
        "is not allowed",
        "initial:",
    )
    edit(
        "tag-int-not-a-number",
        "policy",
        "capacity: 15",
        "capacity: !!int fifteen",
        "'fifteen' is not a valid int",
        "capacity:",
    )
    edit(
        "tag-float-not-a-number",
        "policy",
        "min_hours: 2",
        "min_hours: !!float two",
        "'two' is not a valid float",
        "min_hours:",
    )
    edit(
        "tag-bool-not-a-boolean",
        "states",
        "    final: true\n  - id: withdrawn",
        "    final: !!bool maybe\n  - id: withdrawn",
        "'maybe' is not a valid bool",
        "final: !!bool",
    )
    edit(
        "tag-timestamp-not-a-date",
        "policy",
        "enrolled: 21",
        "enrolled: !!timestamp soon",
        "'soon' is not a valid timestamp",
        "enrolled:",
    )
    edit(
        "invalid-date",
        "policy",
        "enrolled: 21",
        "enrolled: 2023-13-45",
        "'2023-13-45' is not a valid timestamp",
        "enrolled: 2023",
    )
    edit(
        "digits-past-int-limit",
        "policy",
        "capacity: 15",
        "capacity: 1" + "0" * 5000,
        "is not a valid int",
        "capacity: 1",
    )
    edit(
        "tag-binary",
        "policy",
        "capacity: 15",
        "capacity: !!binary aGVsbG8=",
        "Input should be a valid integer, got bytes",
        "capacity:",
    )
    edit(
        "tag-set",
        "policy",
        "excluded_fields: [real_estate_management]",
        "excluded_fields: !!set {real_estate_management}",
        "Input should be a valid list",
        "excluded_fields:",
    )
    edit(
        "tag-omap",
        "states",
        "guards: [reason_given]",
        "guards: !!omap [{a: 1}]",
        "Input should be a valid string",
        "guards: !!omap",
    )
    edit(
        "tag-timestamp-label",
        "states",
        "{lv: Uzņemta, en: Enrolled}",
        "{lv: 2023-01-01, en: Enrolled}",
        "got the date 2023-01-01",
        "{lv: 2023",
    )


# --- nested too deep --------------------------------------------------------------------


def depth() -> None:
    deep = "nested deeper than 50 levels"
    for n in (51, 200, 5_000, 300_000):
        edit(
            f"deep-flow-lists-{n}",
            "policy",
            "    min_hours: 2",
            "    min_hours: " + "[" * n + "]" * n,
            deep,
            "    min_hours: [",
        )
    edit(
        "deep-flow-maps",
        "policy",
        "    min_hours: 2",
        "    min_hours: " + "{a: " * 3_000 + "1" + "}" * 3_000,
        deep,
        "    min_hours: {",
    )
    block = "".join("  " * i + f"k{i}:\n" for i in range(1, 60)) + "  " * 60 + "leaf: 1\n"
    add(
        "deep-block-maps",
        "policy",
        BASE_POLICY + "extra:\n" + block,
        deep,
        line_of(BASE_POLICY + "extra:\n" + block, "k49:"),
    )
    seq = "".join("  " * i + "-\n" for i in range(1, 60)) + "  " * 60 + "- x\n"
    add(
        "deep-block-lists",
        "states",
        BASE_STATES + "extra:\n" + seq,
        deep,
        BASE_STATES.count("\n") + 1 + 50,
    )
    add("deep-bare-brackets", "policy", "[" * 900_000, deep, 1)
    # each alias puts a 30-deep anchored value 30 levels down: deep only once expanded
    chain = "a: &a " + "[" * 30 + "1" + "]" * 30 + "\nb: &b " + "[" * 30 + "*a" + "]" * 30 + "\n"
    add(
        "deep-through-aliases",
        "policy",
        BASE_POLICY + chain,
        "once aliases are expanded",
        line_of(BASE_POLICY + chain, "b: &b"),
    )


# --- duplicate keys ---------------------------------------------------------------------


def duplicates() -> None:
    def dup(name: str, kind: str, old: str, new: str, key: str, first: str, second: str) -> None:
        text = BASES[kind].replace(old, new, 1)
        a, b = line_of(text, first), line_of(text, second)
        where = f"(lines {a} and {b})" if a != b else "(twice on the line)"
        add(name, kind, text, f"duplicate key {key!r} {where}", b)

    dup(
        "duplicate-role-grants-withdraw",
        "policy",
        "  auditor:\n",
        "  mentor:\n    triggers: [withdraw]\n    case_scope: all\n  auditor:\n",
        "mentor",
        "  mentor:\n    triggers: []",
        "  mentor:\n    triggers: [withdraw]",
    )
    dup(
        "duplicate-section",
        "policy",
        "deadlines:\n",
        "roles:\n  auditor: {}\ndeadlines:\n",
        "roles",
        "roles:\n  coordinator",
        "roles:\n  auditor: {}",
    )
    dup(
        "duplicate-capacity",
        "policy",
        "  capacity: 15",
        "  capacity: 15\n  capacity: 150",
        "capacity",
        "  capacity: 15\n",
        "  capacity: 150",
    )
    dup(
        "duplicate-budget",
        "policy",
        "  budget_eur: 10000.00",
        "  budget_eur: 10000.00\n  budget_eur: 99999.00",
        "budget_eur",
        "  budget_eur: 10000",
        "  budget_eur: 99999",
    )
    dup(
        "duplicate-guard-parameter",
        "policy",
        "    min_hours: 2",
        "    min_hours: 2\n    min_hours: 0",
        "min_hours",
        "    min_hours: 2",
        "    min_hours: 0",
    )
    dup(
        "duplicate-deadline",
        "policy",
        "  submitted: 180",
        "  submitted: 180\n  enrolled: 5",
        "enrolled",
        "  enrolled: 21",
        "  enrolled: 5",
    )
    dup(
        "duplicate-role-key-quoted",
        "policy",
        "  auditor:\n",
        '  "coordinator":\n    triggers: [withdraw]\n  auditor:\n',
        "coordinator",
        "  coordinator:",
        '  "coordinator":',
    )
    dup(
        "duplicate-case-scope",
        "policy",
        "    case_scope: assigned",
        "    case_scope: assigned\n    case_scope: all",
        "case_scope",
        "    case_scope: assigned",
        "    case_scope: all\n  auditor",
    )
    dup(
        "duplicate-initial",
        "states",
        "initial: enrolled",
        "initial: enrolled\ninitial: withdrawn",
        "initial",
        "initial: enrolled",
        "initial: withdrawn",
    )
    dup(
        "duplicate-states-key",
        "states",
        "\ntransitions:\n",
        "\nstates: []\ntransitions:\n",
        "states",
        "states:\n  - id: enrolled",
        "states: []",
    )
    dup(
        "duplicate-label-lv",
        "states",
        "{lv: Konsultēta, en: Consulted}",
        "{lv: Konsultēta, en: Consulted, lv: Padomi}",
        "lv",
        "{lv: Konsultēta",
        "{lv: Konsultēta",
    )
    dup(
        "duplicate-dest",
        "states",
        "    dest: consulted\n",
        "    dest: consulted\n    dest: outcome\n",
        "dest",
        "    dest: consulted",
        "    dest: outcome\n    guards: [enough",
    )
    dup(
        "duplicate-final",
        "states",
        "    final: true\n  - id: withdrawn",
        "    final: true\n    final: false\n  - id: withdrawn",
        "final",
        "    final: true\n    final: false",
        "    final: false",
    )
    dup(
        "duplicate-boolean-keys",
        "policy",
        "guards:\n",
        "guards:\n  yes: {}\n  true: {}\n",
        "true",
        "  yes: {}",
        "  true: {}",
    )
    dup(
        "duplicate-flow-keys",
        "policy",
        "  capacity: 15",
        "  capacity: 15\n  other: {a: 1, a: 2}",
        "a",
        "  other: {a: 1",
        "  other: {a: 1",
    )


# --- alias bombs and self-reference -----------------------------------------------------


def aliases() -> None:
    laughs = 'lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 9):
        laughs += f"lol{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]\n"
    bomb = "once aliases are expanded (an alias bomb?)"
    # lol3 is the first value past 10,000 once expanded: 1 + 10 + 100 + 1,000 + 10,000 values
    add("billion-laughs", "policy", laughs + "roles: *a8\n", bomb, line_of(laughs, "lol3:"))
    add(
        "billion-laughs-in-states",
        "states",
        laughs.replace("lol", "x") + BASE_STATES,
        bomb,
        line_of(laughs, "lol3:"),
    )
    wide = (
        "a: &a ["
        + ",".join(["1"] * 100)
        + "]\nb: &b ["
        + ",".join(["*a"] * 100)
        + "]\nroles: {coordinator: {triggers: *b}}\n"
    )
    add("wide-alias-bomb", "policy", wide, bomb, 2)
    maps = "m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n"
    for i in range(1, 6):
        maps += f"m{i}: &m{i} {{" + ", ".join(f"k{j}: *m{i - 1}" for j in range(10)) + "}\n"
    add("mapping-alias-bomb", "policy", maps, bomb, line_of(maps, "m3:"))  # 21, 221, 2,221, 22,221
    merge = "base: &base {" + ", ".join(f"k{j}: {j}" for j in range(100)) + "}\n"
    merge += "big: &big [" + ", ".join(["*base"] * 100) + "]\n"
    merge += "cycle_defaults:\n  <<: *big\n"
    add("merge-key-bomb", "policy", merge, bomb, 2)
    add("recursive-list", "policy", "roles: &r [*r]\n", "an alias that contains itself", 1)
    add(
        "recursive-mapping",
        "policy",
        "roles: &r {coordinator: *r}\n",
        "an alias that contains itself",
        1,
    )
    text = BASE_STATES + "loop: &l [a, [b, *l]]\n"
    add(
        "recursive-in-states",
        "states",
        text,
        "an alias that contains itself",
        line_of(text, "loop:"),
    )
    edit(
        "alias-of-a-role-kept-unknown",
        "policy",
        "  auditor:\n    triggers: []\n    case_scope: all",
        "  auditor: &aud\n    triggers: []\n    case_scope: all\n  controller: *aud",
        "roles.controller: Input should be 'coordinator', 'mentor', 'auditor', 'admin' or 'representative'",
        "  controller:",
    )


# --- wrong scalar types (strict) --------------------------------------------------------


def scalars() -> None:
    int_msg = "Input should be a valid integer, got "
    num_msg = "Input should be a number, got "
    for name, value, got in (
        ("yes", "yes", "the YAML boolean true"),
        ("true", "true", "the YAML boolean true"),
        ("on", "on", "the YAML boolean true"),
        ("quoted", '"15"', "the text '15' (a number is written without quotes)"),
        ("single-quoted", "'15'", "the text '15'"),
        ("float", "15.0", "the number 15.0"),
        ("word", "fifteen", "the text 'fifteen'"),
        ("null", "~", "nothing"),
        ("empty", "", "nothing"),
        ("list", "[15]", "a list"),
        ("mapping", "{n: 15}", "a mapping"),
        ("sexagesimal-text", '"0:15"', "the text '0:15'"),
    ):
        edit(
            f"capacity-{name}",
            "policy",
            "capacity: 15",
            f"capacity: {value}",
            int_msg + got,
            "capacity:",
        )
    for name, value, got in (
        ("quoted", '"10000.00"', "the text '10000.00' (a number is written without quotes)"),
        ("yes", "yes", "the YAML boolean true"),
        ("null", "null", "nothing"),
        ("list", "[10000]", "a list"),
        ("euro-sign", '"€10000"', "the text '€10000'"),
    ):
        edit(
            f"budget-{name}",
            "policy",
            "budget_eur: 10000.00",
            f"budget_eur: {value}",
            num_msg + got,
            "budget_eur:",
        )
    edit(
        "budget-nan",
        "policy",
        "budget_eur: 10000.00",
        "budget_eur: .nan",
        "Input should be a finite number",
        "budget_eur:",
    )
    edit(
        "budget-infinite",
        "policy",
        "budget_eur: 10000.00",
        "budget_eur: .inf",
        "Input should be a finite number",
        "budget_eur:",
    )
    edit(
        "max-cycles-quoted",
        "policy",
        "max_cycles_per_organisation: 3",
        'max_cycles_per_organisation: "3"',
        int_msg + "the text '3'",
        "max_cycles",
    )
    edit(
        "max-cycles-float",
        "policy",
        "max_cycles_per_organisation: 3",
        "max_cycles_per_organisation: 3.5",
        int_msg + "the number 3.5",
        "max_cycles",
    )
    edit(
        "max-cycles-no",
        "policy",
        "max_cycles_per_organisation: 3",
        "max_cycles_per_organisation: no",
        int_msg + "the YAML boolean false",
        "max_cycles",
    )
    edit(
        "deadline-quoted",
        "policy",
        "enrolled: 21",
        'enrolled: "21"',
        int_msg + "the text '21'",
        "enrolled:",
    )
    edit(
        "deadline-float",
        "policy",
        "enrolled: 21",
        "enrolled: 21.5",
        int_msg + "the number 21.5",
        "enrolled:",
    )
    edit(
        "deadline-yes",
        "policy",
        "enrolled: 21",
        "enrolled: yes",
        int_msg + "the YAML boolean true",
        "enrolled:",
    )
    edit("deadline-null", "policy", "enrolled: 21", "enrolled:", int_msg + "nothing", "enrolled:")
    edit(
        "min-consultations-quoted",
        "policy",
        "min_consultations: 1",
        'min_consultations: "2"',
        int_msg + "the text '2'",
        "min_consultations:",
    )
    edit(
        "min-consultations-true",
        "policy",
        "min_consultations: 1",
        "min_consultations: true",
        int_msg + "the YAML boolean true",
        "min_consultations:",
    )
    edit(
        "min-consultations-float",
        "policy",
        "min_consultations: 1",
        "min_consultations: 2.0",
        int_msg + "the number 2.0",
        "min_consultations:",
    )
    edit(
        "min-hours-quoted",
        "policy",
        "min_hours: 2",
        'min_hours: "2"',
        num_msg + "the text '2'",
        "min_hours:",
    )
    edit(
        "min-hours-yes",
        "policy",
        "min_hours: 2",
        "min_hours: yes",
        num_msg + "the YAML boolean true",
        "min_hours:",
    )
    edit(
        "min-hours-infinite",
        "policy",
        "min_hours: 2",
        "min_hours: .inf",
        "Input should be a finite number",
        "min_hours:",
    )
    edit(
        "case-scope-number",
        "policy",
        "case_scope: assigned",
        "case_scope: 1",
        "Input should be 'all', 'assigned' or 'organisation'",
        "case_scope: 1",
    )
    edit(
        "triggers-a-string",
        "policy",
        "  mentor:\n    triggers: []",
        "  mentor:\n    triggers: consult",
        "Input should be a valid list, got the text 'consult'",
        "    triggers: consult",
    )
    edit(
        "excluded-fields-number",
        "policy",
        "excluded_fields: [real_estate_management]",
        "excluded_fields: [42]",
        "Input should be a valid string, got the number 42",
        "excluded_fields",
    )
    edit(
        "legal-form-boolean",
        "policy",
        "allowed_legal_forms: [association, foundation]",
        "allowed_legal_forms: [association, no]",
        "false is a YAML boolean",
        "allowed_legal_forms",
    )
    edit(
        "final-quoted",
        "states",
        "    final: true\n  - id: withdrawn",
        '    final: "true"\n  - id: withdrawn',
        "Input should be a valid boolean, got the text 'true'",
        'final: "true"',
    )
    edit(
        "final-number",
        "states",
        "    final: true\n  - id: withdrawn",
        "    final: 1\n  - id: withdrawn",
        "Input should be a valid boolean, got the number 1",
        "final: 1",
    )
    edit(
        "final-null",
        "states",
        "    final: true\n  - id: withdrawn",
        "    final: ~\n  - id: withdrawn",
        "Input should be a valid boolean, got nothing",
        "final: ~",
    )
    edit(
        "label-number",
        "states",
        "{lv: Konsultēta, en: Consulted}",
        "{lv: 12, en: Consulted}",
        "Input should be a valid string, got the number 12",
        "{lv: 12",
    )
    edit(
        "label-null",
        "states",
        "{lv: Konsultēta, en: Consulted}",
        "{lv: ~, en: Consulted}",
        "Input should be a valid string, got nothing",
        "{lv: ~",
    )
    edit(
        "label-list",
        "states",
        "{lv: Konsultēta, en: Consulted}",
        "{lv: [Konsultēta], en: Consulted}",
        "Input should be a valid string, got a list",
        "{lv: [",
    )
    edit(
        "state-id-number",
        "states",
        "  - id: consulted",
        "  - id: 3",
        "Input should be a valid string, got the number 3",
        "  - id: 3",
    )
    edit(
        "trigger-number",
        "states",
        "trigger: submit",
        "trigger: 5",
        "Input should be a valid string, got the number 5",
        "trigger: 5",
    )
    edit(
        "dest-boolean",
        "states",
        "dest: withdrawn",
        "dest: off",
        "false is a YAML boolean",
        "dest: off",
    )
    edit(
        "initial-number",
        "states",
        "initial: enrolled",
        "initial: 0",
        "Input should be a valid string, got the number 0",
        "initial: 0",
    )
    edit(
        "source-number",
        "states",
        "source: [analysed]",
        "source: 7",
        "Input should be a valid list, got the number 7",
        "source: 7",
    )
    edit(
        "guards-a-mapping",
        "states",
        "guards: [reason_given]",
        "guards: {reason_given: 1}",
        "Input should be a valid list, got a mapping",
        "guards: {",
    )
    edit(
        "migration-target-number",
        "states",
        "id: incubation",
        "id: incubation\nmigrations: {old: 5}",
        "Input should be a valid string, got the number 5",
        "migrations:",
    )


# --- a state from which no final state is reachable, and other graph problems ---------


def graphs() -> None:
    cannot = "no final state can be reached from"
    no_late_withdraw = BASE_STATES.replace(
        "source: [enrolled, analysed, consulted, sources_selected, application_drafted, submitted]",
        "source: [enrolled, analysed, consulted, sources_selected]",
    )
    # record_outcome leads back to application_drafted: submit, record, submit, ... forever
    text = no_late_withdraw.replace(
        "    source: [submitted]\n    dest: outcome",
        "    source: [submitted]\n    dest: application_drafted",
    )
    add(
        "loop-without-exit",
        "states",
        text,
        f"{cannot} 'application_drafted'",
        line_of(text, "  - id: application_drafted"),
    )
    # sources_selected <-> application_drafted; submit is reached from consulted instead
    text = BASE_STATES.replace(
        "source: [enrolled, analysed, consulted, sources_selected, application_drafted, submitted]",
        "source: [enrolled, analysed, consulted, submitted]",
    ).replace(
        "    source: [application_drafted]\n    dest: submitted",
        "    source: [consulted]\n    dest: submitted",
    )
    text += "  - trigger: reconsider\n    label: {lv: Pārskatīt, en: Reconsider}\n    source: [application_drafted]\n    dest: sources_selected\n"
    add(
        "two-state-cycle",
        "states",
        text,
        f"{cannot} 'sources_selected'",
        line_of(text, "  - id: sources_selected"),
    )
    text = BASE_STATES.replace(
        "source: [enrolled, analysed, consulted, sources_selected, application_drafted, submitted]",
        "source: [enrolled]",
    ).replace(
        "    source: [analysed]\n    dest: consulted", "    source: [analysed]\n    dest: analysed"
    )
    add("self-loop-only", "states", text, f"{cannot} 'analysed'", line_of(text, "  - id: analysed"))
    text = BASE_STATES.replace("    final: true\n", "")
    add(
        "no-final-state",
        "states",
        text,
        "no state is final, so no case could ever finish",
        line_of(text, "states:\n"),
    )
    text = BASE_STATES.replace(
        "source: [enrolled, analysed, consulted, sources_selected, application_drafted, submitted]",
        "source: [enrolled, analysed, consulted, sources_selected, application_drafted]",
    ).replace(
        "    source: [submitted]\n    dest: outcome", "    source: [consulted]\n    dest: outcome"
    )
    add(
        "dead-end",
        "states",
        text,
        "'submitted' is not final but no transition leaves it",
        line_of(text, "  - id: submitted"),
    )
    edit(
        "unreachable",
        "states",
        "  - id: withdrawn",
        "  - id: archived\n    label: {lv: Arhīvs, en: Archived}\n    final: true\n  - id: withdrawn",
        "'archived' is unreachable from 'enrolled'",
        "  - id: archived",
    )
    edit(
        "unknown-dest",
        "states",
        "dest: submitted",
        "dest: submited",
        "'submited' is not a declared state",
        "dest: submited",
    )
    edit(
        "unknown-source",
        "states",
        "source: [submitted]",
        "source: [sumbitted]",
        "'sumbitted' is not a declared state",
        "source: [sumbitted]",
    )
    edit(
        "unknown-initial",
        "states",
        "initial: enrolled",
        "initial: enroled",
        "'enroled' is not a declared state",
        "initial:",
    )
    edit(
        "final-state-left",
        "states",
        "source: [submitted]",
        "source: [submitted, outcome]",
        "'outcome' is final and cannot be left",
        "source: [submitted, outcome]",
    )
    edit(
        "duplicate-trigger-from-state",
        "states",
        "    guards: [reason_given]\n",
        "    guards: [reason_given]\n  - trigger: withdraw\n    label: {lv: Atteikties, en: Give up}\n    source: [analysed]\n    dest: outcome\n",
        "duplicate trigger 'withdraw' from state 'analysed'",
        "  - trigger: withdraw\n    label: {lv: Atteikties",
    )
    edit(
        "source-listed-twice",
        "states",
        "source: [consulted]",
        "source: [consulted, consulted]",
        "'consulted' is listed twice",
        "source: [consulted, consulted]",
    )
    edit(
        "duplicate-state",
        "states",
        "  - id: withdrawn",
        "  - id: consulted\n    label: {lv: Vēlreiz, en: Again}\n  - id: withdrawn",
        "duplicate state 'consulted'",
        "  - id: consulted\n    label: {lv: Vēlreiz",
    )
    edit(
        "migration-to-unknown",
        "states",
        "id: incubation",
        "id: incubation\nmigrations:\n  reviewed: reveiwed",
        "'reveiwed' is not a declared state",
        "  reviewed:",
    )
    edit(
        "migration-from-declared",
        "states",
        "id: incubation",
        "id: incubation\nmigrations:\n  analysed: consulted",
        "'analysed' is still a declared state",
        "  analysed: consulted",
    )


# --- schema errors ----------------------------------------------------------------------


def schemas() -> None:
    edit(
        "states-unknown-top-key",
        "states",
        "initial: enrolled",
        "initial: enrolled\ninital: analysed",
        "inital: unknown field",
        "inital:",
    )
    edit(
        "state-unknown-field",
        "states",
        "    final: true\n  - id: withdrawn",
        "    finall: true\n  - id: withdrawn",
        "finall: unknown field",
        "finall:",
    )
    edit(
        "transition-unknown-field",
        "states",
        "    dest: consulted",
        "    dest: consulted\n    guard: [enough_consultations]",
        "guard: unknown field",
        "    guard:",
    )
    edit(
        "label-unknown-language",
        "states",
        "{lv: Uzņemta, en: Enrolled}",
        "{lv: Uzņemta, en: Enrolled, ru: Принята}",
        "ru: unknown field",
        "ru: Принята",
    )
    edit("missing-initial", "states", "initial: enrolled\n", "", "initial: Field required")
    edit(
        "missing-transitions",
        "states",
        BASE_STATES[BASE_STATES.index("transitions:") :],
        "",
        "transitions: Field required",
    )
    edit(
        "missing-label",
        "states",
        "    label: {lv: Konsultēta, en: Consulted}\n",
        "",
        "label: Field required",
        "  - id: consulted",
    )
    edit(
        "missing-label-en",
        "states",
        "{lv: Konsultēta, en: Consulted}",
        "{lv: Konsultēta}",
        "en: Field required",
        "    label: {lv: Konsultēta}",
    )
    edit(
        "missing-dest",
        "states",
        "    dest: consulted\n",
        "",
        "dest: Field required",
        "  - trigger: consult",
    )
    edit(
        "empty-states-list",
        "states",
        BASE_STATES[BASE_STATES.index("states:") : BASE_STATES.index("transitions:")],
        "states: []\n\n",
        "List should have at least 1 item",
        "states: []",
    )
    edit(
        "empty-source-list",
        "states",
        "source: [consulted]",
        "source: []",
        "List should have at least 1 item",
        "source: []",
    )
    edit(
        "empty-label",
        "states",
        "{lv: Uzņemta, en: Enrolled}",
        "{lv: '', en: Enrolled}",
        "String should have at least 1 character",
        "{lv: ''",
    )
    edit(
        "label-too-long",
        "states",
        "{lv: Uzņemta, en: Enrolled}",
        "{lv: " + "Ļ" * 121 + ", en: Enrolled}",
        "String should have at most 120 characters",
        "{lv: Ļ",
    )
    for name, bad in (
        ("upper-case", "Enrolled2"),
        ("dash", "en-rolled"),
        ("leading-digit", "1enrolled"),
        ("too-long", "e" * 41),
        ("space", "'en rolled'"),
        ("latvian-letter", "uzņemta"),
    ):
        edit(
            f"state-id-{name}",
            "states",
            "  - id: outcome",
            f"  - id: {bad}",
            "String should match pattern",
            f"  - id: {bad[:3]}",
        )
    edit(
        "trigger-id-upper",
        "states",
        "trigger: submit",
        "trigger: Submit",
        "String should match pattern",
        "trigger: Submit",
    )
    edit(
        "workflow-id-empty",
        "states",
        "id: incubation",
        "id: ''",
        "String should match pattern",
        "id: ''",
    )
    edit(
        "states-a-mapping",
        "states",
        BASE_STATES[BASE_STATES.index("states:") : BASE_STATES.index("transitions:")],
        "states: {enrolled: Uzņemta}\n\n",
        "Input should be a valid list, got a mapping",
        "states: {",
    )
    add(
        "states-top-level-list",
        "states",
        "- enrolled\n- analysed\n",
        "expected a mapping, got list",
    )
    add(
        "top-level-string",
        "policy",
        "roles\n",
        "expected a mapping",
        declared="expected a mapping of policy sections",
    )
    add("top-level-number", "states", "42\n", "expected a mapping, got int")
    add(
        "empty-file",
        "states",
        b"",
        "the file is empty",
        declared="expected a mapping, the file is empty",
    )
    add(
        "comments-only",
        "states",
        "# nothing here yet\n",
        "the file is empty",
        declared="expected a mapping, the file is empty",
    )
    add(
        "null-document",
        "states",
        "~\n",
        "the file is empty",
        declared="expected a mapping, the file is empty",
    )
    add(
        "empty-mapping",
        "policy",
        "{}\n",
        "the file is empty",
        declared="cycle_defaults: Field required",
    )
    add(
        "empty-policy",
        "policy",
        b"",
        "the file is empty",
        declared="cycle_defaults: Field required",
    )
    add(
        "whitespace-only",
        "policy",
        "   \n\n  \n",
        "the file is empty",
        declared="roles: Field required",
    )
    add(
        "neither-kind",
        "policy",
        "name: Inkubators\nversion: 2\n",
        "neither a states file",
        declared="name: unknown policy section",
    )
    add(
        "both-kinds",
        "policy",
        BASE_POLICY + "initial: enrolled\n",
        "mixes states keys (initial) and policy sections",
        declared="initial: unknown policy section",
    )
    edit(
        "policy-unknown-section",
        "policy",
        "deadlines:",
        "deadline:",
        "deadline: unknown policy section",
        "deadline:",
    )
    edit(
        "policy-missing-roles",
        "policy",
        BASE_POLICY[BASE_POLICY.index("roles:") : BASE_POLICY.index("eligibility:")],
        "",
        "roles: Field required",
    )
    edit(
        "policy-missing-cycle-defaults",
        "policy",
        "cycle_defaults:\n  budget_eur: 10000.00\n  capacity: 15\n",
        "",
        "cycle_defaults: Field required",
    )
    edit(
        "policy-missing-capacity",
        "policy",
        "  capacity: 15\n",
        "",
        "capacity: Field required",
        "cycle_defaults:",
    )
    edit(
        "role-unknown-field",
        "policy",
        "    case_scope: assigned",
        "    case_scope: assigned\n    trigers: []",
        "trigers: unknown field",
        "    trigers:",
    )
    edit(
        "case-scope-unknown",
        "policy",
        "case_scope: assigned",
        "case_scope: own",
        "Input should be 'all', 'assigned' or 'organisation'",
        "case_scope: own",
    )
    edit(
        "evidence-unknown-kind",
        "policy",
        "  mentor:\n    triggers: []",
        "  mentor:\n    triggers: []\n    evidence: [telepathy]",
        "roles.mentor.evidence[0]: 'telepathy' is not an evidence kind",
        "    evidence: [telepathy]",
    )
    edit(
        "action-unknown",
        "policy",
        "  auditor:\n    triggers: []",
        "  auditor:\n    triggers: []\n    actions: [rule_the_world]",
        "roles.auditor.actions[0]: Input should be",
        "    actions: [rule_the_world]",
    )
    edit(
        "capacity-zero",
        "policy",
        "capacity: 15",
        "capacity: 0",
        "Input should be greater than or equal to 1",
        "capacity: 0",
    )
    edit(
        "capacity-too-many",
        "policy",
        "capacity: 15",
        "capacity: 1001",
        "Input should be less than or equal to 1000",
        "capacity: 1001",
    )
    edit(
        "budget-negative",
        "policy",
        "budget_eur: 10000.00",
        "budget_eur: -1",
        "greater than or equal to 0",
        "budget_eur: -1",
    )
    edit(
        "budget-three-decimals",
        "policy",
        "budget_eur: 10000.00",
        "budget_eur: 10000.005",
        "Decimal input should have no more than 2 decimal places",
        "budget_eur:",
    )
    edit(
        "budget-over-ten-million",
        "policy",
        "budget_eur: 10000.00",
        "budget_eur: 100000000.00",
        "less than or equal to 10000000",
        "budget_eur:",
    )
    edit(
        "max-cycles-zero",
        "policy",
        "max_cycles_per_organisation: 3",
        "max_cycles_per_organisation: 0",
        "greater than or equal to 1",
        "max_cycles",
    )
    edit(
        "eligibility-a-list",
        "policy",
        "eligibility:\n  excluded_fields: [real_estate_management]\n  allowed_legal_forms: [association, foundation]\n  max_cycles_per_organisation: 3\n",
        "eligibility: [real_estate_management]\n",
        "eligibility: Input should be a valid dictionary",
        "eligibility: [",
    )
    edit(
        "roles-a-list",
        "policy",
        BASE_POLICY[BASE_POLICY.index("roles:") : BASE_POLICY.index("eligibility:")],
        "roles: [coordinator, mentor]\n\n",
        "roles: Input should be a valid dictionary",
        "roles: [",
    )
    edit(
        "guards-a-list",
        "policy",
        "guards:\n  consult:\n    min_consultations: 1\n    min_hours: 2\n",
        "guards: [consult]\n",
        "guards: Input should be a valid dictionary",
        "guards: [",
    )
    edit(
        "guard-params-a-number",
        "policy",
        "  consult:\n    min_consultations: 1\n    min_hours: 2\n",
        "  consult: 3\n",
        "guards.consult: Input should be a valid dictionary",
        "  consult: 3",
    )
    edit(
        "deadline-zero",
        "policy",
        "enrolled: 21",
        "enrolled: 0",
        "must be at least 1 day",
        "enrolled: 0",
    )
    edit(
        "min-hours-negative",
        "policy",
        "min_hours: 2",
        "min_hours: -1",
        "greater than or equal to 0",
        "min_hours: -1",
    )
    edit(
        "min-consultations-too-many",
        "policy",
        "min_consultations: 1",
        "min_consultations: 101",
        "less than or equal to 100",
        "min_consultations:",
    )


# --- unknown guards, roles, states and triggers -----------------------------------------


def unknown_names() -> None:
    edit(
        "unknown-guard",
        "states",
        "guards: [enough_consultations]",
        "guards: [enough_meetings]",
        "unknown guard 'enough_meetings'",
        "guards: [enough_meetings]",
    )
    edit(
        "unknown-guard-import-path",
        "states",
        "guards: [reason_given]",
        "guards: [os.system]",
        "unknown guard 'os.system'",
        "guards: [os.system]",
    )
    edit(
        "unknown-guard-second",
        "states",
        "guards: [needs_analysis_recorded]",
        "guards: [needs_analysis_recorded, always_yes]",
        "unknown guard 'always_yes'",
        "guards: [needs_analysis_recorded, always",
    )
    edit(
        "unknown-role",
        "policy",
        "  auditor:\n",
        "  auditer:\n",
        "roles.auditer: Input should be 'coordinator', 'mentor', 'auditor', 'admin' or 'representative'",
        "  auditer:",
    )
    edit(
        "unknown-role-superuser",
        "policy",
        "  auditor:\n",
        "  superuser:\n    triggers: [withdraw]\n  auditor:\n",
        "roles.superuser: Input should be",
        "  superuser:",
    )
    edit(
        "role-yes",
        "policy",
        "  auditor:\n",
        "  yes:\n    triggers: []\n  auditor:\n",
        "roles.true: true is a YAML boolean",
        "  yes:",
    )
    edit(
        "role-unknown-trigger",
        "policy",
        "triggers: [analyse, consult,",
        "triggers: [analyse, aprove, consult,",
        "'aprove' is not a declared trigger",
        "triggers: [analyse, aprove",
    )
    edit(
        "role-trigger-of-other-workflow",
        "policy",
        "  mentor:\n    triggers: []",
        "  mentor:\n    triggers: [approve_budget]",
        "'approve_budget' is not a declared trigger",
        "    triggers: [approve_budget]",
    )
    edit(
        "guard-unknown-trigger",
        "policy",
        "  consult:\n    min",
        "  consulting:\n    min",
        "'consulting' is not a declared trigger",
        "  consulting:",
    )
    edit(
        "guard-unknown-parameter",
        "policy",
        "    min_hours: 2",
        "    min_hours: 2\n    max_hours: 10",
        "no guard of 'consult' takes this parameter",
        "    max_hours:",
    )
    edit(
        "guard-parameter-of-paramless-trigger",
        "policy",
        "guards:\n",
        "guards:\n  withdraw:\n    min_reasons: 2\n",
        "no guard of 'withdraw' takes this parameter (takes: none)",
        "    min_reasons:",
    )
    edit(
        "deadline-unknown-state",
        "policy",
        "  submitted: 180",
        "  submitted: 180\n  archived: 10",
        "'archived' is not a declared state",
        "  archived:",
    )
    edit(
        "deadline-final-state",
        "policy",
        "  submitted: 180",
        "  submitted: 180\n  outcome: 30",
        "'outcome' is final; a final state has no deadline",
        "  outcome: 30",
    )
    edit(
        "deadline-boolean-state",
        "policy",
        "  submitted: 180",
        "  submitted: 180\n  no: 30",
        "deadlines.false: false is a YAML boolean",
        "  no: 30",
    )
    edit(
        "state-id-boolean",
        "states",
        "  - id: withdrawn",
        "  - id: no",
        "states[7].id: false is a YAML boolean",
        "  - id: no",
    )
    edit(
        "trigger-id-boolean",
        "states",
        "trigger: withdraw",
        "trigger: on",
        "trigger: true is a YAML boolean",
        "trigger: on",
    )


def build() -> list[Case]:
    for make in (
        huge,
        encodings,
        syntax,
        tags,
        depth,
        duplicates,
        aliases,
        scalars,
        graphs,
        schemas,
        unknown_names,
    ):
        make()
    return CASES


def main() -> None:
    cases = build()
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for c in cases:
        (OUT / c.file).write_bytes(c.data)
    manifest = [{k: v for k, v in asdict(c).items() if k != "data"} for c in cases]
    (OUT / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", "utf-8"
    )
    print(f"{len(cases)} invalid rules files in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
