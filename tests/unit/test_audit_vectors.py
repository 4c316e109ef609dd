"""The published format (docs/audit-format.md) against its golden vectors.

The vectors in tests/data/audit-vectors/ are the reference: the canonical encoding, the
event and account-event hashes, the Merkle tree, a signed checkpoint and a complete
export. The implementation must reproduce every byte, and the independent verifier
(tools/verify_export.py) must accept them: a change that alters the format fails here.
"""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT
from workflow import checkpoint, merkle, signing
from workflow.accountlog import HASHED as ACCOUNT_FIELDS
from workflow.chain import HASHED_FIELDS, canonical_bytes, canonical_hash, event_hash

VECTORS = ROOT / "tests" / "data" / "audit-vectors"
TOOL = ROOT / "tools" / "verify_export.py"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("vector", load("canonical.json"), ids=lambda v: v["name"])
def test_canonical_encoding_is_byte_for_byte_the_published_one(vector: dict[str, Any]) -> None:
    encoded = canonical_bytes(vector["value"])
    assert encoded.hex() == vector["canonical_hex"]
    assert hashlib.sha256(encoded).hexdigest() == vector["sha256"]


def test_sorting_is_by_code_point_as_the_vector_shows() -> None:
    """U+FFFF sorts before U+1F600 by code point (by UTF-16 unit it would come after)."""
    encoded = bytes.fromhex(load("canonical.json")[0]["canonical_hex"]).decode("utf-8")
    assert encoded == '{"A":3,"a":0,"b":1,"ā":2,"\uffff":4,"😀":5}'


@pytest.mark.parametrize("zone", [UTC, ZoneInfo("Europe/Riga"), None])
def test_case_events_hash_as_published_whatever_zone_the_time_comes_in(zone: Any) -> None:
    events = load("chains.json")["case_events"]
    prev: dict[str, Any] | None = None
    for e in events:
        fields = {k: e[k] for k in HASHED_FIELDS}
        assert canonical_bytes(fields).hex() == e["canonical_hex"]
        at = datetime.fromisoformat(e["at"]).astimezone(UTC)
        as_read = at.replace(tzinfo=None) if zone is None else at.astimezone(zone)
        assert event_hash({**fields, "at": as_read}) == e["hash"]
        if prev is not None and prev["case_id"] == e["case_id"]:
            assert e["prev_hash"] == prev["hash"]
        prev = e


def test_account_events_hash_as_published() -> None:
    events = load("chains.json")["account_events"]
    for e in events:
        fields = {k: e[k] for k in ACCOUNT_FIELDS}
        assert canonical_bytes(fields).hex() == e["canonical_hex"]
        assert canonical_hash(fields) == e["hash"]
    assert events[1]["prev_hash"] == events[0]["hash"]


@pytest.mark.parametrize("tree", load("merkle.json"), ids=lambda t: f"{len(t['leaves_hex'])}")
def test_merkle_roots_are_the_published_ones(tree: dict[str, Any]) -> None:
    leaves = [bytes.fromhex(x) for x in tree["leaves_hex"]]
    assert merkle.root(leaves) == tree["root"]


def rfc9162_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.1, written out as the RFC states it (recursive)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc9162_root(leaves[:k]) + rfc9162_root(leaves[k:])).digest()


@given(st.lists(st.binary(max_size=8), max_size=70))
def test_the_level_by_level_root_is_rfc_9162s(leaves: list[bytes]) -> None:
    assert merkle.root(leaves) == rfc9162_root(leaves).hex()


def test_the_signed_checkpoint_is_the_published_one(tmp_path: Path) -> None:
    cp = checkpoint.read(VECTORS / "checkpoint.json")
    published = load("checkpoint-bytes.json")
    assert [x.hex() for x in checkpoint.leaves(cp.account_log, cp.cases)] == published["leaves_hex"]
    assert checkpoint.signed_message(cp).hex() == published["signed_message_hex"]
    assert cp.signature is not None
    assert cp.signature.value.hex() == published["signature_hex"]
    public = signing.load_public(VECTORS / "test-signing.pub")
    assert checkpoint.check_signature(cp, public) == signing.key_id(public)
    # Ed25519 is deterministic: the test key signs the same heads into the same file
    key = tmp_path / "signing.key"
    shutil.copy(VECTORS / "test-signing.key", key)
    key.chmod(0o600)
    again = checkpoint.make(
        cp.created_at, cp.rules, cp.account_log, list(cp.cases), signing.load_signer(key)
    )
    assert checkpoint.dumps(again) == (VECTORS / "checkpoint.json").read_text(encoding="utf-8")


def test_the_independent_verifier_accepts_the_vectors() -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(TOOL),
            str(VECTORS / "export.jsonl"),
            "--checkpoint",
            str(VECTORS / "checkpoint.json"),
            "--public-key",
            str(VECTORS / "test-signing.pub"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        "checkpoint of 2023-10-19T12:00:00.000000Z: signature valid",
        "audit log OK: 4 events",
        "account log OK",
        "checkpoint OK; events newer than the checkpoint: 1",
    ]


def test_the_verifier_imports_nothing_from_this_project() -> None:
    tree = ast.parse(TOOL.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0
            assert node.module is not None
            roots.add(node.module.split(".")[0])
    third_party = roots - set(sys.stdlib_module_names)
    assert third_party == {"cryptography"}


def test_a_version_1_export_is_still_checked_without_its_rows(tmp_path: Path) -> None:
    """inkubators-export/1 (no rows, users or tokens) stays readable: its chains are
    checked, and the verifier says what it could not check."""
    published = (VECTORS / "export.jsonl").read_text("utf-8")
    lines = [json.loads(x) for x in published.split("\n") if x]
    header = {k: v for k, v in lines[0].items() if k not in ("rows", "users", "api_tokens")}
    old = [header | {"format": "inkubators-export/1"}]
    old += [
        {k: v for k, v in r.items() if k != "mentor"}
        for r in lines[1:]
        if r["record"] in ("case", "case_event", "account_event")
    ]
    path = tmp_path / "v1.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in old), "utf-8")
    run = subprocess.run(
        [sys.executable, str(TOOL), str(path)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        "audit log OK: 4 events",
        "account log OK",
        "note: inkubators-export/1 holds no rows: evidence, users and tokens not checked",
    ]
    path.write_text(path.read_text("utf-8").replace("inkubators-export/1", "inkubators-export/9"))
    refused = subprocess.run(
        [sys.executable, str(TOOL), str(path)], capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2
    assert "not a complete export of a known format" in refused.stderr
