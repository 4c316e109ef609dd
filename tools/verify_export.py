#!/usr/bin/env python3
"""Check an Inkubators audit export, and a signed checkpoint, offline and independently.

Written from docs/audit-format.md alone: the Python standard library and ``cryptography``
(for Ed25519), nothing from Inkubators itself, so an auditor can read all of it and run
it on a machine that never had the application. Input: ``inkubators audit export
--format jsonl --complete`` and, optionally, a checkpoint and the public key that signed it.

    python3 verify_export.py EXPORT.jsonl [--checkpoint CP.json [--public-key signing.pub]]

Exit status 0: every chain verifies and everything the checkpoint covers is intact;
1: something does not (each finding is printed); 2: the input cannot be read.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

Record = dict[str, Any]

# The hashed fields, in the order docs/audit-format.md lists them (the encoding sorts them).
EVENT_FIELDS = tuple(
    "case_id seq kind trigger from_state to_state actor role at comment guards payload "
    "policy_hash states_hash prev_hash".split()
)
ACCOUNT_FIELDS = ("seq", "at", "actor", "role", "action", "subject", "details", "prev_hash")


class Mismatch(Exception):
    """The checkpoint itself fails: edited, unsigned, another key's, or a bad signature."""


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(record: Record, fields: tuple[str, ...]) -> str:
    return hashlib.sha256(canonical({k: record[k] for k in fields})).hexdigest()


def no_floats(text: str) -> Any:
    raise ValueError(f"non-integer number {text}: the format has none")


def load_export(path: str) -> tuple[dict[int, Record], list[Record], list[Record]]:
    """The cases by id, the case events and the account events; refuses a cut-off file."""
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line, parse_float=no_floats) for line in f if line.strip()]
    header = records[0] if records else {}
    if (header.get("record"), header.get("format")) != ("export", "inkubators-export/1"):
        raise ValueError("not a complete export: no inkubators-export/1 header line")
    kinds: dict[str, list[Record]] = {"case": [], "case_event": [], "account_event": []}
    for r in records[1:]:
        kinds[r["record"]].append(r)
    for kind, rows in kinds.items():
        if len(rows) != header[f"{kind}s"]:
            raise ValueError(
                f"the header counts {header[f'{kind}s']} {kind}s, the file has {len(rows)}"
            )
    return {c["id"]: c for c in kinds["case"]}, kinds["case_event"], kinds["account_event"]


def chain_problem(chain: list[Record], fields: tuple[str, ...]) -> tuple[Record, str] | None:
    """The first event of one chain (sorted by seq) that breaks it, and why."""
    prev = None
    for e in chain:
        problem = None
        if prev is None and e["seq"] != 1:
            problem = f"starts at #{e['seq']}, not #1: earlier events are missing"
        elif prev is None and e["prev_hash"] is not None:
            problem = "the first event names a predecessor"
        elif prev is not None and e["seq"] == prev["seq"]:
            problem = f"a second event #{e['seq']}: an event was inserted"
        elif prev is not None and e["seq"] != prev["seq"] + 1:
            problem = f"#{e['seq']} follows #{prev['seq']}: an event is missing"
        elif prev is not None and e["prev_hash"] != prev["hash"]:
            problem = "does not name the previous event's hash: inserted, removed or reordered"
        elif digest(e, fields) != e["hash"]:
            problem = "its content does not match its hash: the event was edited"
        if problem:
            return e, problem
        prev = e
    return None


def check_chains(cases: dict[int, Record], events: list[Record]) -> str | None:
    """The first problem in case order, as ``inkubators audit verify`` names it."""
    chains: dict[int, list[Record]] = {}
    for e in sorted(events, key=lambda e: (e["case_id"], e["seq"], e["id"])):
        chains.setdefault(e["case_id"], []).append(e)
    for case_id, chain in sorted(chains.items()):
        if found := chain_problem(chain, EVENT_FIELDS):
            return f"case {case_id} event {found[0]['id']} (#{found[0]['seq']}): {found[1]}"
        head, last = cases.get(case_id), chain[-1]
        if head is None:
            return f"case {case_id}: events of a case that does not exist"
        if (head["version"], head["head_hash"]) != (last["seq"], last["hash"]):
            return f"case {case_id}: chain ends at #{last['seq']}, head is #{head['version']}"
    for case_id, head in sorted(cases.items()):
        if head["version"] and case_id not in chains:
            return f"case {case_id} has version {head['version']} but no events"
    return None


def merkle_root(leaves: list[bytes]) -> str:
    """RFC 9162's tree hash: leaves 0x00-prefixed, nodes 0x01-prefixed, split at 2^k < n."""

    def mth(items: list[bytes]) -> bytes:
        if len(items) == 1:
            return hashlib.sha256(b"\x00" + items[0]).digest()
        k = 1 << ((len(items) - 1).bit_length() - 1)
        return hashlib.sha256(b"\x01" + mth(items[:k]) + mth(items[k:])).digest()

    return mth(leaves).hex() if leaves else hashlib.sha256(b"").hexdigest()


def check_checkpoint(cp: Record, public_key_path: str | None) -> str:
    if cp.get("format") != "inkubators-checkpoint/1":
        raise ValueError("not an inkubators-checkpoint/1 file")
    account = cp["account_log"]
    leaves = [canonical(["account_log", account["seq"], account["head"]])]
    leaves += [canonical(["case", *c]) for c in cp["cases"]]
    if cp["tree_size"] != len(leaves) or merkle_root(leaves) != cp["merkle_root"]:
        raise Mismatch("the checkpoint's cases do not match its merkle_root: it was edited")
    if public_key_path is None:
        return "signature NOT checked (no --public-key)"
    with open(public_key_path, "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    if not isinstance(key, Ed25519PublicKey) or cp["signature"] is None:
        raise Mismatch("the key is not Ed25519, or the checkpoint is unsigned")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if hashlib.sha256(raw).hexdigest() != cp["signature"]["key_id"]:
        raise Mismatch("the checkpoint was signed by another key")
    signed = ("format", "created_at", "rules", "account_log", "tree_size", "merkle_root")
    head = {k: cp[k] for k in signed}
    try:
        key.verify(base64.b64decode(cp["signature"]["value"], validate=True), canonical(head))
    except InvalidSignature:
        raise Mismatch("the signature does not match: the checkpoint was altered") from None
    return "signature valid"


def compare(
    cp: Record, cases: dict[int, Record], events: list[Record], accounts: list[Record]
) -> tuple[list[str], int, int]:
    """Findings (by case id, then the account log), events newer, events lacking."""
    hashes = {(e["case_id"], e["seq"]): e["hash"] for e in events}
    findings, newer, lacking = [], 0, 0
    covered = {c[0] for c in cp["cases"]}
    for case_id, version, head in cp["cases"]:
        now = cases[case_id]["version"] if case_id in cases else None
        if now is None:
            findings.append(f"case {case_id} is gone (the checkpoint has it at #{version})")
            lacking += version
        elif now < version:
            findings.append(f"case {case_id} is at #{now} but the checkpoint has #{version}")
            lacking += version - now
        else:
            newer += now - version
            if version and hashes.get((case_id, version)) != head:
                findings.append(f"case {case_id}'s event #{version} is another one: rewritten")
    newer += sum(c["version"] for i, c in cases.items() if i not in covered)
    seq, head = cp["account_log"]["seq"], cp["account_log"]["head"]
    last = max((e["seq"] for e in accounts), default=0)
    if last < seq:
        findings.append(f"the account log ends at #{last} but the checkpoint has #{seq}")
        lacking += seq - last
    elif seq and {e["seq"]: e["hash"] for e in accounts}.get(seq) != head:
        findings.append(f"account event #{seq} is not the one the checkpoint recorded: rewritten")
    return findings, max(last - seq, 0) + newer, lacking


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export")
    parser.add_argument("--checkpoint")
    parser.add_argument("--public-key")
    args = parser.parse_args(argv)
    if args.public_key and not args.checkpoint:
        parser.error("--public-key checks a checkpoint: give --checkpoint too")
    try:
        cases, events, accounts = load_export(args.export)
        cp = None
        if args.checkpoint:
            with open(args.checkpoint, encoding="utf-8") as f:
                cp = json.load(f, parse_float=no_floats)
            print(f"checkpoint of {cp['created_at']}: {check_checkpoint(cp, args.public_key)}")
    except Mismatch as exc:
        print(f"checkpoint REFUSED: {exc}")
        return 1
    except (OSError, ValueError, LookupError, TypeError) as exc:
        print(f"cannot check: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    problem = check_chains(cases, events)
    print(f"audit log BROKEN: {problem}" if problem else f"audit log OK: {len(events)} events")
    found = chain_problem(sorted(accounts, key=lambda e: (e["seq"], e["id"])), ACCOUNT_FIELDS)
    account_problem = f"#{found[0]['seq']}: {found[1]}" if found else None
    print(f"account log BROKEN at {account_problem}" if found else "account log OK")
    ok = problem is None and account_problem is None
    if cp is not None:
        findings, newer, lacking = compare(cp, cases, events, accounts)
        for finding in findings:
            print(f"checkpoint MISMATCH: {finding}")
        state = f"MISMATCH: covered events missing: {lacking}" if findings else "OK"
        print(f"checkpoint {state}; events newer than the checkpoint: {newer}")
        ok = ok and not findings
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
