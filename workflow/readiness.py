"""Whether this process can answer requests: the database reachable, rules in force and
the schema at the newest migration (what a load balancer's readiness probe asks).

Each check says what is wrong in words an operator can act on, without the database's
own error text (it may name hosts and users; it goes to the log instead).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Connection, inspect, text

from workflow.db import MIGRATIONS, read
from workflow.runtime import Runtime

logger = logging.getLogger(__name__)

OK = "ok"


@dataclass(frozen=True, slots=True)
class Readiness:
    """Each check's verdict (``ok`` or the problem); ready only when all are ``ok``."""

    checks: dict[str, str]

    @property
    def ready(self) -> bool:
        """All checks passed."""
        return all(v == OK for v in self.checks.values())

    @property
    def problems(self) -> list[str]:
        """``check: problem`` for each failing check."""
        return [f"{k}: {v}" for k, v in self.checks.items() if v != OK]


@cache
def head_revisions() -> frozenset[str]:
    """The newest migration(s) this code ships (read once: they never change at run time)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


def _schema_problem(conn: Connection) -> str:
    """Read ``alembic_version`` directly: alembic's own context logs two lines per call."""
    current: frozenset[str] = frozenset()
    if inspect(conn).has_table("alembic_version"):
        current = frozenset(conn.scalars(text("SELECT version_num FROM alembic_version")))
    expected = head_revisions()
    if current == expected:
        return OK
    needs = ", ".join(sorted(expected))
    have = f"is at {', '.join(sorted(current))}" if current else "has no schema yet"
    return f"the database {have}, this code needs {needs} (run `inkubators init`)"


def check(rt: Runtime) -> Readiness:
    """Ask the database (one connection), then the rules source."""
    checks: dict[str, str] = {}
    try:
        with read(rt.engine) as conn:  # on SQLite a deferred BEGIN: takes no write lock
            conn.execute(text("SELECT 1"))
            checks["database"] = OK
            checks["migrations"] = _schema_problem(conn)
    except Exception:
        logger.exception("readiness: the database cannot be queried")
        checks["database"] = "cannot be reached or queried (see the log)"
        checks["migrations"] = "unknown: the database cannot be queried"
    try:
        rules = rt.rules
        checks["rules"] = OK if rules.states_hash and rules.policy_hash else "no rules in force"
    except Exception:
        logger.exception("readiness: the rules cannot be read")
        checks["rules"] = "no rules in force (see the log)"
    return Readiness(checks)
