"""The register's policy section: another extract is a policy edit, not code (a Lursoft-like
comma-separated export with its own headers, day-first dates and a NACE column), the
real-estate rules are the policy's, and a broken section is refused naming its path."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from tests.conftest import COORDINATOR, ROOT, Clock, make_runtime
from workflow.errors import DefinitionError
from workflow.registerimport import import_register
from workflow.registerstats import sector_stats
from workflow.rules import Rules, load_rules

LURSOFT = """
registry:
  delimiter: ","
  date_formats: ["%d.%m.%Y"]
  regcode_digits: 11
  columns:
    regcode: Reģ. nr.
    name: Nosaukums
    legal_form: Forma
    legal_form_text: null
    registered: Reģistrēts
    terminated: Likvidēts
    closed: null
    address: Adrese
    nace: NACE
  legal_forms:
    biedrība: association
    nodibinājums: foundation
  real_estate:
    name_patterns: [mājokļu kopiena]
    nace_codes: ["68.32"]
"""


def _rules(tmp_path: Path, registry: str) -> Rules:
    states, policies = tmp_path / "states", tmp_path / "policies"
    shutil.copytree(ROOT / "states", states)
    policies.mkdir()
    text = (ROOT / "policies" / "programme.yaml").read_text("utf-8")
    text = text[: text.index("\nregistry:")] + registry
    (policies / "programme.yaml").write_text(text, "utf-8")
    return load_rules(states, policies)


def test_a_comma_separated_export_with_other_headers_is_a_policy_edit(
    db_url: str, clock: Clock, tmp_path: Path
) -> None:
    rt = make_runtime(db_url, _rules(tmp_path, LURSOFT), clock)
    data = (
        "Reģ. nr.,Nosaukums,Forma,Reģistrēts,Likvidēts,Adrese,NACE\r\n"
        '40008000001,"Biedrība ""Jūra, vējš""",biedrība,04.05.2010,,"Liepāja, Graudu iela 12",94.99\r\n'
        "40008000002,Biedrība Nams,biedrība,15.01.2001,,Liepāja,68.32\r\n"
        '40008000003,Mājokļu kopiena "Ezers",biedrība,15.01.2001,,"Liepāja, Ezera 1",\r\n'
        "40008000004,Fonds,nodibinājums,03.03.2015,15.06.2022,Liepāja,\r\n"
    ).encode()
    try:
        result = import_register(rt, COORDINATOR, io.BytesIO(data), "lursoft.csv")
        assert (result.rows, result.new) == (4, 4)
        s = sector_stats(rt, "Liepāja", 2022)
        assert (s.associations, s.real_estate_management, s.other) == (3, 2, 1)
        assert s.foundations == 0  # liquidated in June 2022
        assert sector_stats(rt, "Liepāja", 2021).foundations == 1
    finally:
        rt.engine.dispose()


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ('registry:\n  delimiter: ";;"\n', "registry.delimiter"),
        ("registry:\n  legal_forms:\n    BDR: club\n", "registry.legal_forms.BDR"),
        ("registry:\n  columns:\n    regcode: ''\n", "registry.columns.regcode"),
        ("registry:\n  columns:\n    city: adrese\n", "registry.columns.city"),
        ("registry:\n  date_formats: [YYYY-MM-DD]\n", "registry.date_formats"),
        ("registry:\n  real_estate:\n    name_patterns: ['  ']\n", "registry.real_estate"),
    ],
)
def test_a_broken_registry_section_is_refused_naming_its_path(
    tmp_path: Path, section: str, path: str
) -> None:
    with pytest.raises(DefinitionError) as exc:
        _rules(tmp_path, "\n" + section)
    assert path in str(exc.value)
