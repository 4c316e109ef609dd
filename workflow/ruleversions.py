"""Every activated version of the rules, kept forever in ``rules_versions``.

Audit events name the rules they were decided under by hash; this table holds the text
behind each hash, so ``policy show HASH`` prints exactly what was in force and
``policy diff A B`` what changed. A version is stored when it becomes active and is not
already the newest of its kind (a revert to an older text is a new activation).
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from workflow.db import read
from workflow.errors import InvalidInput, NotFound
from workflow.orm import RulesVersion
from workflow.rules import Rules
from workflow.runtime import Runtime

logger = logging.getLogger(__name__)

KINDS = ("states", "policy")
versions = RulesVersion.__table__
# Any constant: serialises activation across PostgreSQL workers (SQLite's BEGIN IMMEDIATE
# already does).
ACTIVATION_LOCK = 0x696E6B72
HEX = re.compile(r"^[0-9a-f]{4,64}$")


@dataclass(frozen=True, slots=True)
class RulesVersionView:
    """One activation of a states or policy version; ``files`` only from :func:`show`."""

    id: int
    kind: str
    sha256: str
    activated_at: datetime
    activated_by: str
    files: tuple[tuple[str, str], ...] = ()


def version_files(rules: Rules) -> dict[str, tuple[str, list[list[str]]]]:
    """Each kind's hash and ``[[name, text], ...]`` as stored."""
    return {
        "states": (rules.states_hash, [[rules.states.source, rules.states.text]]),
        "policy": (rules.policy_hash, [[n, t] for n, t in rules.policy.files]),
    }


def lock_activation(conn: Connection) -> None:
    """Hold the activation lock until the caller's transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ACTIVATION_LOCK})


def latest(conn: Connection, kind: str) -> Any:
    """The newest stored row of ``kind`` (or None)."""
    return conn.execute(
        select(versions).where(versions.c.kind == kind).order_by(versions.c.id.desc()).limit(1)
    ).first()


def record(conn: Connection, rules: Rules, by: str, at: datetime) -> list[str]:
    """Store each kind whose hash is not the newest stored; return the kinds stored."""
    stored = []
    for kind, (sha, files) in version_files(rules).items():
        row = latest(conn, kind)
        if row is not None and row.sha256 == sha:
            continue
        conn.execute(
            insert(RulesVersion).values(
                kind=kind, sha256=sha, files=files, activated_at=at, activated_by=by[:120]
            )
        )
        stored.append(kind)
        logger.info("rules version stored: %s %s (%s)", kind, sha[:12], by)
    return stored


def activated_at(conn: Connection, kind: str, sha: str) -> datetime | None:
    """When the version ``sha`` of ``kind`` was last activated (None: never stored)."""
    return conn.scalar(
        select(versions.c.activated_at)
        .where(versions.c.kind == kind, versions.c.sha256 == sha)
        .order_by(versions.c.id.desc())
        .limit(1)
    )


def latest_files(conn: Connection) -> dict[str, list[tuple[str, str]]] | None:
    """The newest stored files of both kinds, or None when either is missing."""
    out = {}
    for kind in KINDS:
        row = latest(conn, kind)
        if row is None:
            return None
        out[kind] = [(str(n), str(t)) for n, t in row.files]
    return out


def _view(row: Any, with_files: bool = False) -> RulesVersionView:
    return RulesVersionView(
        id=row.id,
        kind=row.kind,
        sha256=row.sha256,
        activated_at=row.activated_at,
        activated_by=row.activated_by,
        files=tuple((str(n), str(t)) for n, t in row.files) if with_files else (),
    )


def history(rt: Runtime, kind: str | None = None) -> list[RulesVersionView]:
    """Every activation, newest first, optionally of one kind."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(
            {"kind": f"must be one of {', '.join(KINDS)}"},
            {"kind": f"jābūt vienam no: {', '.join(KINDS)}"},
        )
    q = select(
        versions.c.id,
        versions.c.kind,
        versions.c.sha256,
        versions.c.activated_at,
        versions.c.activated_by,
    ).order_by(versions.c.id.desc())
    if kind is not None:
        q = q.where(versions.c.kind == kind)
    with read(rt.engine) as conn:
        return [_view(r) for r in conn.execute(q)]


def show(rt: Runtime, sha_or_prefix: str) -> RulesVersionView:
    """The version whose hash is or starts with ``sha_or_prefix`` (at least 4 hex digits).

    A hash activated more than once (a revert) is shown with its latest activation; the
    text is the same by definition of the hash.
    """
    prefix = sha_or_prefix.strip().lower()
    if not HEX.match(prefix):
        raise InvalidInput(
            {"hash": "give at least 4 hexadecimal digits of a version's SHA-256"},
            {"hash": "norādiet vismaz 4 versijas SHA-256 heksadecimālos ciparus"},
        )
    with read(rt.engine) as conn:
        rows = list(
            conn.execute(
                select(versions)
                .where(versions.c.sha256.like(prefix + "%"))
                .order_by(versions.c.id.desc())
            )
        )
    if not rows:
        raise NotFound("rules version", sha_or_prefix)
    distinct = sorted({r.sha256 for r in rows})
    if len(distinct) > 1:
        names = ", ".join(s[:12] for s in distinct)
        raise InvalidInput(
            {"hash": f"{prefix!r} is ambiguous: matches {names}"},
            {"hash": f"{prefix!r} nav viennozīmīgs: atbilst {names}"},
        )
    return _view(rows[0], with_files=True)


def diff(rt: Runtime, a: str, b: str) -> str:
    """Unified diff from version ``a`` to version ``b`` (same kind), file by file."""
    va, vb = show(rt, a), show(rt, b)
    if va.kind != vb.kind:
        raise InvalidInput(
            {"hash": f"{va.sha256[:12]} is {va.kind}, {vb.sha256[:12]} is {vb.kind}"},
            {"hash": f"{va.sha256[:12]} ir {va.kind}, {vb.sha256[:12]} ir {vb.kind}"},
        )
    fa, fb = dict(va.files), dict(vb.files)
    out: list[str] = []
    for name in sorted(fa.keys() | fb.keys()):
        out.extend(
            difflib.unified_diff(
                fa.get(name, "").splitlines(keepends=True),
                fb.get(name, "").splitlines(keepends=True),
                fromfile=f"{name}@{va.sha256[:12]}" if name in fa else "/dev/null",
                tofile=f"{name}@{vb.sha256[:12]}" if name in fb else "/dev/null",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)
