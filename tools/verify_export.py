#!/usr/bin/env python3
"""Check an Inkubators audit export, and a signed checkpoint, offline and independently.

Written from docs/audit-format.md alone: the Python standard library and ``cryptography``
(for Ed25519), nothing from Inkubators itself, so an auditor can read all of it and run
it on a machine that never had the application. Input: ``inkubators audit export
--format jsonl --complete`` and, optionally, a checkpoint and the public key that signed it.
Besides the chains it checks the rows as ``audit verify`` does (section 8, 2a): case
states, creations and mentors, evidence rows against their content hashes, and users and
tokens against the account log's replay (these rows are in inkubators-export/2 only).

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
from collections import Counter
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
# The payload key naming an evidence event's row -> its table; the mentor-assigning triggers.
ROW_KEYS = {"analysis_id": "needs_analyses", "consultation_id": "consultations"}
ROW_KEYS |= {"selection_id": "source_selections", "application_id": "applications"}
MENTOR_TRIGGERS = ("record_mentor_assignment", "assign_mentor")
KINDS = {"inkubators-export/1": ("case", "case_event", "account_event")}
KINDS["inkubators-export/2"] = (*KINDS["inkubators-export/1"], "row", "user", "api_token")


class Mismatch(Exception):
    """The checkpoint itself fails: edited, unsigned, another key's, or a bad signature."""


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(record: Record, fields: tuple[str, ...]) -> str:
    return hashlib.sha256(canonical({k: record[k] for k in fields})).hexdigest()


def no_floats(text: str) -> Any:
    raise ValueError(f"non-integer number {text}: the format has none")


def load_export(path: str) -> tuple[str, dict[str, list[Record]]]:
    """The format and the records by kind; refuses a cut-off file or an unknown format."""
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line, parse_float=no_floats) for line in f if line.strip()]
    header = records[0] if records else {}
    if header.get("record") != "export" or header.get("format") not in KINDS:
        raise ValueError(f"not a complete export of a known format ({', '.join(KINDS)})")
    kinds: dict[str, list[Record]] = {k: [] for k in KINDS[header["format"]]}
    for r in records[1:]:
        kinds[r["record"]].append(r)
    for kind, rows in kinds.items():
        if len(rows) != header[f"{kind}s"]:
            raise ValueError(
                f"the header counts {header[f'{kind}s']} {kind}s, the file has {len(rows)}"
            )
    return header["format"], kinds


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


def by_case(events: list[Record]) -> dict[int, list[Record]]:
    chains: dict[int, list[Record]] = {}
    for e in sorted(events, key=lambda e: (e["case_id"], e["seq"], e["id"])):
        chains.setdefault(e["case_id"], []).append(e)
    return chains


def check_chains(cases: dict[int, Record], events: list[Record]) -> str | None:
    """The first problem in case order, as ``inkubators audit verify`` names it."""
    chains = by_case(events)
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


def check_cases(cases: dict[int, Record], chains: dict[int, list[Record]]) -> str | None:
    """Once the chains hold: each case's state, creation, from_states and mentor (export/2)."""
    for cid, head in sorted(cases.items()):
        last = chains.get(cid, [{"to_state": None}])[-1]["to_state"]
        if last is None or last != head["state"]:
            return f"case {cid}: state {head['state']!r}, its last event ends in {last!r}"
    for cid, chain in sorted(chains.items()):
        if chain[0]["kind"] != "enrol" or chain[0]["from_state"] is not None:
            return f"case {cid}'s first event is a {chain[0]['kind']!r}, not its creation"
    for cid, chain in sorted(chains.items()):
        for prev, e in zip(chain, chain[1:], strict=False):
            if e["from_state"] != prev["to_state"]:
                return f"case {cid} #{e['seq']} starts from {e['from_state']!r}, not {prev['to_state']!r}"
    for cid, head in sorted(cases.items()):
        chain = chains.get(cid, [])
        named = [str(e["payload"].get("mentor")) for e in chain if e["trigger"] in MENTOR_TRIGGERS]
        if "mentor" in head and head["mentor"] != (named or [None])[-1]:
            return f"case {cid}: mentor {head['mentor']!r}, the log assigned {named[-1:]}"
    return None


def check_rows(events: list[Record], rows: list[Record]) -> tuple[str | None, int]:
    """Each evidence row against the content hash of the last event naming it; unbound rows."""
    last: dict[tuple[str, int], Record] = {}
    for e in sorted(events, key=lambda e: (e["case_id"], e["seq"])):
        named = [(t, e["payload"].get(k)) for k, t in ROW_KEYS.items() if e["kind"] == "evidence"]
        found = [(t, i) for t, i in named if isinstance(i, int) and not isinstance(i, bool)]
        if found:
            last[found[0]] = e
    unbound, order = 0, list(ROW_KEYS.values())
    for r in sorted(rows, key=lambda r: (order.index(r["table"]), r["row"]["id"])):
        table, rid = r["table"], r["row"]["id"]
        e = last.pop((table, rid), None)
        if e is None:
            return f"{table} {rid}: no event recorded it (case {r['row'].get('case_id')})", unbound
        content = hashlib.sha256(canonical({"row": r["row"], "table": table})).hexdigest()
        if e["payload"].get("content_sha256") is None:
            unbound += 1
        elif e["payload"]["content_sha256"] != content:
            where = f"event {e['id']} (case {e['case_id']}, #{e['seq']})"
            return f"{table} {rid}: differs from what {where} recorded: edited", unbound
    if last:
        (table, rid), e = min(last.items())
        return f"{table} {rid}: recorded by case {e['case_id']} #{e['seq']}, gone", unbound
    return None, unbound


def check_accounts(accounts: list[Record], users: list[Record], tokens: list[Record]) -> str | None:
    """Users' roles and standing, and tokens, against the account log's replay."""
    roles: dict[str, Any] = {}
    active: dict[str, bool] = {}
    issued: dict[int, list[Any]] = {}  # token id -> [owner, seq, digest, revoked]
    anonymous: Counter[str] = Counter()
    for e in sorted(accounts, key=lambda e: e["seq"]):
        act, who, d = e["action"], e["subject"], e["details"]
        revoke = [d.get("token_id")] if act == "token_revoked" else []
        if act == "user_added":
            roles[who], active[who] = d.get("role"), True
        elif who in roles and act == "role_changed":
            roles[who] = d.get("to")
        elif who in roles and act in ("deactivated", "reactivated"):
            active[who] = act == "reactivated"
        elif act == "token_created" and isinstance(d.get("token_id"), int):
            issued[d["token_id"]] = [who, e["seq"], d.get("token_sha256"), False]
        elif act == "token_created":
            anonymous[who] += 1
        revoke += d.get("tokens_revoked") or [] if act == "password_set" else []
        for token_id in revoke:
            if token_id in issued:
                issued[token_id][3] = True
    for u in sorted(users, key=lambda u: u["id"]):
        name, where = u["name"], f"users {u['id']}: {u['name']!r}"
        if name not in roles:
            return f"{where} has no user_added event: added behind the log's back"
        if (u["role"], u["active"]) != (roles[name], active[name]):
            return f"{where} is {u['role']!r}, active {u['active']}; the replay gives {roles[name]!r}, {active[name]}"
    if gone := sorted(set(roles) - {u["name"] for u in users}):
        return f"users {gone[0]}: the account log added this user but its row is gone"
    for t in sorted(tokens, key=lambda t: t["id"]):
        owner, seq, digest, revoked = issued.get(t["id"]) or [None] * 4
        if owner is None and anonymous[t["user"]] > 0:
            anonymous[t["user"]] -= 1  # issued before events named tokens: unbound
        elif owner is None:
            return f"api_tokens {t['id']}: a token of {t['user']!r} no event issued: forged"
        elif owner != t["user"] or (digest is not None and digest != t["token_hash"]):
            return f"api_tokens {t['id']}: not the token account event #{seq} issued"
        elif revoked and not t["revoked"]:
            return f"api_tokens {t['id']}: revoked by the account log but live again"
    if gone := sorted(set(issued) - {t["id"] for t in tokens}):
        return f"api_tokens {gone[0]}: account event #{issued[gone[0]][1]} issued it, gone"
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
        fmt, kinds = load_export(args.export)
        cases = {c["id"]: c for c in kinds["case"]}
        events, accounts = kinds["case_event"], kinds["account_event"]
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
    problem, unbound = check_chains(cases, events) or check_cases(cases, by_case(events)), 0
    if problem is None and "row" in kinds:
        problem, unbound = check_rows(events, kinds["row"])
    print(f"audit log BROKEN: {problem}" if problem else f"audit log OK: {len(events)} events")
    if unbound:
        print(f"audit log note: {unbound} evidence rows unbound (recorded before content hashes)")
    found = chain_problem(sorted(accounts, key=lambda e: (e["seq"], e["id"])), ACCOUNT_FIELDS)
    account_problem = f"#{found[0]['seq']}: {found[1]}" if found else None
    if account_problem is None and "user" in kinds:
        account_problem = check_accounts(accounts, kinds["user"], kinds["api_token"])
    print(f"account log BROKEN at {account_problem}" if account_problem else "account log OK")
    if "row" not in kinds:
        print(f"note: {fmt} holds no rows: evidence, users and tokens not checked")
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
