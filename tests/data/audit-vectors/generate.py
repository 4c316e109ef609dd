"""Writes the golden vectors of docs/audit-format.md from fixed inputs (run once per format).

The stored files are the reference: ``tests/unit/test_audit_vectors.py`` checks the
implementation against them, so any change that alters one byte of the encoding, a hash,
the Merkle tree or the checkpoint fails. Re-running this script is changing the format:
only with a new format version, never for ``inkubators-checkpoint/1``.

    .venv/bin/python tests/data/audit-vectors/generate.py
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from workflow import checkpoint, merkle, signing
from workflow.accountlog import HASHED as ACCOUNT_FIELDS
from workflow.chain import HASHED_FIELDS, canonical_bytes

HERE = Path(__file__).resolve().parent
POLICY = hashlib.sha256(b"policies/programme.yaml (illustration)").hexdigest()
STATES = hashlib.sha256(b"states/incubation.yaml (illustration)").hexdigest()

CANONICAL: list[tuple[str, Any]] = [
    (
        "keys sorted by code point, not by UTF-16 unit",
        {"b": 1, "a": 0, "ā": 2, "A": 3, "\uffff": 4, "😀": 5},
    ),
    (
        "escapes: only quote, backslash and U+0000..U+001F; the rest is literal UTF-8",
        '"\\/\b\f\n\r\t\u0000\u0001\u001f\u007f\u00a0\u2028Liepāja 😀',
    ),
    ("integers, booleans, null, empty containers", [0, -1, 2147483647, True, False, None, {}, []]),
    ("no whitespace between tokens", {"guards": [{"guard": "has_analysis", "passed": True}]}),
]


def _event(case_id: int, seq: int, prev: str | None, **fields: Any) -> dict[str, Any]:
    body = {
        "case_id": case_id,
        "seq": seq,
        "comment": "",
        "guards": [],
        "payload": {},
        "policy_hash": POLICY,
        "states_hash": STATES,
        "prev_hash": prev,
        **fields,
    }
    return {k: body[k] for k in HASHED_FIELDS}


def case_chain(case_id: int, org: str, extra: bool) -> list[dict[str, Any]]:
    """An enrolment, then (``extra``) an analysis with awkward text and a transition."""
    steps: list[dict[str, Any]] = [
        dict(
            kind="enrol",
            trigger="enrol",
            from_state=None,
            to_state="enrolled",
            actor="ilze",
            role="coordinator",
            at="2023-03-01T10:00:00.000000Z",
            payload={"organisation": org, "reg_no": f"4000800000{case_id}", "cycle": "2023"},
        )
    ]
    if extra:
        steps += [
            dict(
                kind="evidence",
                trigger="record_analysis",
                from_state="enrolled",
                to_state="enrolled",
                actor="ilze",
                role="coordinator",
                at="2023-03-08T09:30:15.250000Z",
                payload={
                    "findings": 'Vāja plānošana;\n"valde"\tsanāk \\ reti\u0001',
                    "need_areas": ["planning", "governance"],
                    "recorded_on": "2023-03-08",
                },
            ),
            dict(
                kind="transition",
                trigger="analyse",
                from_state="enrolled",
                to_state="analysed",
                actor="ilze",
                role="coordinator",
                at="2023-03-09T14:00:00.000001Z",
                comment="Apstiprināts 👍\u2028",
                guards=[{"guard": "has_analysis", "passed": True, "message": "analysis recorded"}],
            ),
        ]
    out: list[dict[str, Any]] = []
    prev = None
    for seq, step in enumerate(steps, start=1):
        event = _event(case_id, seq, prev, **step)
        event["hash"] = hashlib.sha256(canonical_bytes(event)).hexdigest()
        prev = event["hash"]
        out.append(event)
    return out


def account_chain() -> list[dict[str, Any]]:
    """Two account events: an admin added from the command line, a role changed."""
    rows = [
        dict(at="2023-02-27T09:00:00.000000Z", actor="command line", role="operator",
             action="user_added", subject="admins", details={"role": "admin", "password": True}),
        dict(at="2023-02-28T11:15:00.000000Z", actor="admins", role="admin",
             action="role_changed", subject="anna", details={"from": "mentor", "to": "coordinator"}),
    ]  # fmt: skip
    out: list[dict[str, Any]] = []
    prev = None
    for seq, row in enumerate(rows, start=1):
        event = {"seq": seq, **row, "prev_hash": prev}
        event = {k: event[k] for k in ACCOUNT_FIELDS}
        event["hash"] = hashlib.sha256(canonical_bytes(event)).hexdigest()
        prev = event["hash"]
        out.append(event)
    return out


def with_bytes(event: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The event plus the exact bytes its hash is taken over, as hex."""
    return {**event, "canonical_hex": canonical_bytes({k: event[k] for k in fields}).hex()}


def main() -> None:
    canonical = [
        {"name": n, "value": v, "canonical_hex": canonical_bytes(v).hex(),
         "sha256": hashlib.sha256(canonical_bytes(v)).hexdigest()}
        for n, v in CANONICAL
    ]  # fmt: skip
    case1, case2, accounts = (
        case_chain(1, 'Biedrība "Cerību māja"', True),
        case_chain(2, "kultūrBĀKA", False),
        account_chain(),
    )
    chains = {
        "case_events": [with_bytes(e, HASHED_FIELDS) for e in case1 + case2],
        "account_events": [with_bytes(e, ACCOUNT_FIELDS) for e in accounts],
    }
    trees = []
    for n in (0, 1, 2, 3, 4, 5, 7, 8):
        leaves = [f"leaf {i}".encode() for i in range(n)]
        trees.append({"leaves_hex": [x.hex() for x in leaves], "root": merkle.root(leaves)})
    # The checkpoint is taken when case 1 stood at #2: the export below has one event more.
    with tempfile.TemporaryDirectory() as tmp:
        key = Path(tmp) / "signing.key"
        shutil.copy(HERE / "test-signing.key", key)
        os.chmod(key, 0o600)
        signer = signing.load_signer(key)
    cp = checkpoint.make(
        "2023-10-19T12:00:00.000000Z",
        {"policy": POLICY, "states": STATES},
        checkpoint.AccountHead(2, accounts[-1]["hash"]),
        [checkpoint.CaseHead(1, 2, case1[1]["hash"]), checkpoint.CaseHead(2, 1, case2[0]["hash"])],
        signer,
    )
    leaves = checkpoint.leaves(cp.account_log, cp.cases)
    signed = {
        "leaves_hex": [x.hex() for x in leaves],
        "signed_message_hex": checkpoint.signed_message(cp).hex(),
        "signature_hex": cp.signature.value.hex() if cp.signature else None,
    }
    export = [{"record": "export", "format": "inkubators-export/2", "cases": 2,
               "case_events": len(case1) + len(case2), "account_events": len(accounts),
               "rows": 0, "users": 1, "api_tokens": 0}]  # fmt: skip
    for case_id, chain in ((1, case1), (2, case2)):
        export.append({"record": "case", "id": case_id, "state": chain[-1]["to_state"],
                       "version": len(chain), "head_hash": chain[-1]["hash"],
                       "mentor": None})  # fmt: skip
    ids = iter(range(1, 100))
    export += [{"record": "case_event", "id": next(ids), **e} for e in case1 + case2]
    export += [{"record": "account_event", "id": i, **e} for i, e in enumerate(accounts, 1)]
    # the one account the log adds, as its replay leaves it
    export += [{"record": "user", "id": 1, "name": "admins", "role": "admin", "active": True}]

    def dump(name: str, value: Any) -> None:
        text = json.dumps(value, indent=1, sort_keys=True) + "\n"  # \uXXXX: invisibles show
        (HERE / name).write_text(text, encoding="utf-8")

    dump("canonical.json", canonical)
    dump("chains.json", chains)
    dump("merkle.json", trees)
    dump("checkpoint-bytes.json", signed)
    (HERE / "checkpoint.json").write_text(checkpoint.dumps(cp), encoding="utf-8")
    lines = (json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in export)
    (HERE / "export.jsonl").write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
