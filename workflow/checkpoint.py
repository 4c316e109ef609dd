"""The checkpoint file: every chain's head at one moment, a Merkle root over them, signed.

Why: the hash chains show that no event was edited *in place*, but anyone who can write
the database can recompute a whole chain, cut a case's tail and roll its head back, or
delete a case with its events. A checkpoint taken nightly and kept by the auditors pins
each case's (id, version, head hash) and the account log's head; the Ed25519 signature
over the tree head means it cannot be forged without the key kept outside the database.
The byte-level format is specified in ``docs/audit-format.md``; this module is the one
implementation of it (building, writing, reading and checking a file), with no database
access: :mod:`workflow.checkpointing` takes and compares checkpoints.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Literal, NamedTuple

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from workflow import merkle, signing
from workflow.chain import canonical_bytes
from workflow.errors import WorkflowError

FORMAT = "inkubators-checkpoint/1"
_HEX64 = r"^[0-9a-f]{64}$"


class CheckpointError(WorkflowError):
    """A checkpoint file cannot be read, is malformed, was edited, or its signature fails."""


class CaseHead(NamedTuple):
    """A case's chain head as the checkpoint pins it (``head`` is None at version 0)."""

    id: int
    version: int
    head: str | None


class AccountHead(NamedTuple):
    """The account log's head: its last sequence number and hash (0 and None when empty)."""

    seq: int
    head: str | None


@dataclass(frozen=True, slots=True)
class Signature:
    """Who signed (the key's id) and the 64-byte Ed25519 signature of the signed head."""

    key_id: str
    value: bytes
    algorithm: str = signing.ALGORITHM


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One checkpoint, as written to and read from a file."""

    created_at: str
    rules: dict[str, str]
    account_log: AccountHead
    cases: tuple[CaseHead, ...]
    merkle_root: str
    signature: Signature | None

    @property
    def tree_size(self) -> int:
        """Leaves in the Merkle tree: the account log's, then one per case."""
        return len(self.cases) + 1

    @property
    def case_events(self) -> int:
        """How many case events the checkpoint covers (the sum of the versions)."""
        return sum(c.version for c in self.cases)


def leaves(account: AccountHead, cases: tuple[CaseHead, ...]) -> list[bytes]:
    """The tree's leaves in order: the account log's head, then each case by ascending id."""
    return [canonical_bytes(["account_log", account.seq, account.head])] + [
        canonical_bytes(["case", c.id, c.version, c.head]) for c in cases
    ]


def signed_message(cp: Checkpoint) -> bytes:
    """The bytes the signature covers: the tree head (everything but the case list, which
    the Merkle root binds, and the signature itself) in the canonical encoding."""
    return canonical_bytes(
        {
            "format": FORMAT,
            "created_at": cp.created_at,
            "rules": cp.rules,
            "account_log": {"seq": cp.account_log.seq, "head": cp.account_log.head},
            "tree_size": cp.tree_size,
            "merkle_root": cp.merkle_root,
        }
    )


def make(
    created_at: str,
    rules: dict[str, str],
    account: AccountHead,
    cases: list[CaseHead],
    signer: signing.Signer | None,
) -> Checkpoint:
    """A checkpoint over these heads, signed when a signer is given."""
    ordered = tuple(sorted(cases))
    unsigned = Checkpoint(
        created_at, dict(rules), account, ordered, merkle.root(leaves(account, ordered)), None
    )
    if signer is None:
        return unsigned
    sig = Signature(signer.key_id, signer.sign(signed_message(unsigned)))
    return replace(unsigned, signature=sig)


def dumps(cp: Checkpoint) -> str:
    """The file's text: JSON, one case per line, so a diff of two checkpoints reads well."""
    sig = (
        None
        if cp.signature is None
        else {
            "algorithm": cp.signature.algorithm,
            "key_id": cp.signature.key_id,
            "value": base64.b64encode(cp.signature.value).decode("ascii"),
        }
    )
    head = {
        "format": FORMAT,
        "created_at": cp.created_at,
        "rules": cp.rules,
        "account_log": {"seq": cp.account_log.seq, "head": cp.account_log.head},
        "tree_size": cp.tree_size,
        "merkle_root": cp.merkle_root,
        "signature": sig,
    }
    lines = [f" {json.dumps(k)}: {json.dumps(v, sort_keys=True)}," for k, v in head.items()]
    cases = ",\n".join(f"  {json.dumps(list(c), separators=(',', ':'))}" for c in cp.cases)
    return "{\n" + "\n".join(lines) + '\n "cases": [\n' + cases + "\n ]\n}\n"


Hex64 = Annotated[str, StringConstraints(pattern=_HEX64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _SignatureIn(_Strict):
    algorithm: Literal["Ed25519"]
    key_id: Hex64
    value: str


class _AccountIn(_Strict):
    seq: int = Field(ge=0)
    head: Hex64 | None


class _RulesIn(_Strict):
    policy: Hex64
    states: Hex64


class _CheckpointIn(_Strict):
    format: Literal["inkubators-checkpoint/1"]
    created_at: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d\d-\d\dT[\d:.]{15}Z$")]
    rules: _RulesIn
    account_log: _AccountIn
    tree_size: int
    merkle_root: Hex64
    signature: _SignatureIn | None
    cases: list[tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=0)], Hex64 | None]]


def loads(text: str, source: str = "checkpoint") -> Checkpoint:
    """Parse and check a checkpoint's text; every problem names ``source`` and the field."""
    try:
        raw = _CheckpointIn.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        if first["type"] == "json_invalid":
            raise CheckpointError(f"{source}: not JSON ({first['msg']})") from None
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise CheckpointError(f"{source}: {where}: {first['msg']}") from None
    problems: list[str] = []
    cases = tuple(CaseHead(*c) for c in raw.cases)
    if any(a.id >= b.id for a, b in zip(cases, cases[1:], strict=False)):
        problems.append("cases: ids are not in strictly ascending order")
    if any((c.version == 0) != (c.head is None) for c in cases):
        problems.append("cases: a head hash must be null exactly when the version is 0")
    if (raw.account_log.seq == 0) != (raw.account_log.head is None):
        problems.append("account_log: head must be null exactly when seq is 0")
    if raw.tree_size != len(cases) + 1:
        problems.append(f"tree_size: {raw.tree_size}, but the file lists {len(cases) + 1} leaves")
    account = AccountHead(raw.account_log.seq, raw.account_log.head)
    if not problems and merkle.root(leaves(account, cases)) != raw.merkle_root:
        problems.append("merkle_root: does not match the listed heads: the file was edited")
    signature = None
    if raw.signature is not None:
        try:
            value = base64.b64decode(raw.signature.value, validate=True)
        except binascii.Error:
            value = b""
        if len(value) != 64:
            problems.append("signature.value: not the base64 of a 64-byte Ed25519 signature")
        signature = Signature(raw.signature.key_id, value)
    if problems:
        raise CheckpointError(f"{source}: {problems[0]}")
    return Checkpoint(
        raw.created_at, raw.rules.model_dump(), account, cases, raw.merkle_root, signature
    )


def read(path: Path) -> Checkpoint:
    """Load the checkpoint file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint {path} does not exist") from None
    except UnicodeDecodeError:
        raise CheckpointError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise CheckpointError(f"cannot read checkpoint {path}: {exc.strerror}") from None
    return loads(text, str(path))


def check_signature(cp: Checkpoint, public: Ed25519PublicKey, source: str = "checkpoint") -> str:
    """Raise unless ``public`` signed ``cp``; return the key's id."""
    if cp.signature is None:
        raise CheckpointError(
            f"{source} is unsigned (made without a signing key): it cannot show who made it"
        )
    expected = signing.key_id(public)
    if cp.signature.key_id != expected:
        raise CheckpointError(
            f"{source} was signed by key {cp.signature.key_id[:16]}…, "
            f"not by the public key given ({expected[:16]}…)"
        )
    if not signing.is_valid(public, signed_message(cp), cp.signature.value):
        raise CheckpointError(
            f"{source}: the signature does not match: the checkpoint was altered after signing"
        )
    return expected


def write(cp: Checkpoint, path: Path) -> None:
    """Write ``cp`` to ``path`` atomically: whoever copies the file away (the nightly job)
    never sees half of it."""
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.write_text(dumps(cp), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CheckpointError(f"cannot write checkpoint {path}: {exc.strerror}") from None
