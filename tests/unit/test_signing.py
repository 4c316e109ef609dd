"""Signing keys and checkpoint files: what is refused, and the message that says why."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from inkubators.cli import main
from workflow import checkpoint, signing
from workflow.checkpoint import AccountHead, CaseHead, CheckpointError
from workflow.signing import SigningError

HEX = "ab" * 32


def test_keygen_writes_a_private_key_only_its_owner_reads(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["audit", "keygen", "--out", str(tmp_path / "k")])
    assert result.exit_code == 0, result.output
    private, public = tmp_path / "k" / "signing.key", tmp_path / "k" / "signing.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o700
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----\n")
    key_id = signing.key_id(signing.load_public(public))
    assert result.stdout.splitlines()[2] == f"key id:      {key_id}"
    assert signing.load_signer(private).key_id == key_id


def test_keygen_never_overwrites_a_key(tmp_path: Path) -> None:
    first = signing.generate(tmp_path)
    before = first.private.read_bytes()
    again = CliRunner().invoke(main, ["audit", "keygen", "--out", str(tmp_path)])
    assert again.exit_code == 1
    assert again.stderr.startswith(f"error: {first.private} already exists; refusing")
    assert first.private.read_bytes() == before


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    pair = signing.generate(tmp_path)
    pair.private.chmod(0o644)
    with pytest.raises(SigningError, match=r"readable by others \(mode 0644\); run: chmod 600"):
        signing.load_signer(pair.private)


def test_keys_that_are_not_ed25519_or_not_keys_are_refused(tmp_path: Path) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "ec.key"
    path.write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    with pytest.raises(SigningError, match="is not an Ed25519 key"):
        signing.load_signer(path)
    pub = tmp_path / "ec.pub"
    pub.write_bytes(
        ec_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(SigningError, match="is not an Ed25519 key"):
        signing.load_public(pub)
    path.write_text("hello\n")
    with pytest.raises(SigningError, match="is not an unencrypted PEM private key"):
        signing.load_signer(path)
    with pytest.raises(SigningError, match="does not exist"):
        signing.load_public(tmp_path / "missing.pub")


def sample() -> str:
    cp = checkpoint.make(
        "2023-10-19T12:00:00.000000Z",
        {"policy": HEX, "states": HEX},
        AccountHead(0, None),
        [CaseHead(2, 1, HEX), CaseHead(1, 3, HEX)],
        None,
    )
    return checkpoint.dumps(cp)


def test_an_unsigned_checkpoint_round_trips_sorted_by_case() -> None:
    cp = checkpoint.loads(sample())
    assert [c.id for c in cp.cases] == [1, 2]
    assert cp.signature is None
    assert cp.case_events == 4
    assert checkpoint.dumps(cp) == sample()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(format="inkubators-checkpoint/2"), "x.json: format: Input should be"),
        (lambda d: d["cases"][0].__setitem__(1, 3.0), "x.json: cases.0.1: Input should be"),
        (lambda d: d["cases"][0].__setitem__(1, True), "x.json: cases.0.1: Input should be"),
        (lambda d: d["cases"].reverse(), "x.json: cases: ids are not in strictly ascending"),
        (lambda d: d["cases"][0].__setitem__(2, None), "x.json: cases: a head hash must be"),
        (lambda d: d["account_log"].update(seq=1), "x.json: account_log: head must be null"),
        (lambda d: d.update(extra=1), "x.json: extra: Extra inputs are not permitted"),
        (lambda d: d["rules"].pop("states"), "x.json: rules.states: Field required"),
        (
            lambda d: d.update(signature={"algorithm": "Ed25519", "key_id": HEX, "value": "!"}),
            "x.json: signature.value: not the base64 of a 64-byte Ed25519 signature",
        ),
    ],
)
def test_malformed_checkpoints_name_the_field(
    edit: Callable[[dict[str, Any]], object], message: str
) -> None:
    data = json.loads(sample())
    edit(data)
    with pytest.raises(CheckpointError) as caught:
        checkpoint.loads(json.dumps(data), "x.json")
    assert str(caught.value).startswith(message)


def test_not_json_and_not_utf8_are_named(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match=r"^x.json: not JSON \("):
        checkpoint.loads("{", "x.json")
    path = tmp_path / "cp.json"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(CheckpointError, match="not UTF-8 text"):
        checkpoint.read(path)
    with pytest.raises(CheckpointError, match="does not exist"):
        checkpoint.read(tmp_path / "none.json")
