"""The pages users open most read a bounded slice through an index, never a sequential
scan of the audit log: the case list, the case page's history and the audit page.

Proven on PostgreSQL by ``EXPLAIN`` of the very statements the services send (captured
as they run), on a table big enough for the planner to care (the benchmarks' fixture,
400 cases and 40,000 events, ANALYZEd) and with the planner's default settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from benchmarks import scale
from workflow import auditquery, views
from workflow.actors import Actor
from workflow.bootstrap import build_runtime
from workflow.runtime import Runtime

pytestmark = pytest.mark.postgres

COORDINATOR = Actor(scale.COORDINATOR, "coordinator", None)
AUDITOR = Actor(scale.AUDITOR, "auditor", None)


@pytest.fixture(scope="module")
def big(pg_server: str, pg_template: str) -> Iterator[Runtime]:
    """A fixture of 400 cases and 40,000 events, analysed (built once for the module)."""
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"ink_plans_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    try:
        scale.prepare(url, 400, 40_000, reuse=False)
        rt = build_runtime(scale.settings_for(url))
        with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        yield rt
        rt.engine.dispose()
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def plans(engine: Engine, call: Callable[[], object]) -> list[str]:
    """The plan of every SELECT ``call`` sends, explained with the parameters it sent."""
    sent: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert sent, "the call sent no SELECT"
    out = []
    with engine.connect() as conn:
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for statement, params in sent:
            cur.execute("EXPLAIN " + statement, params)
            out.append("\n".join(row[0] for row in cur.fetchall()))
        cur.close()
    return out


def _long_case(rt: Runtime) -> int:
    with rt.engine.connect() as conn:
        return int(
            conn.scalar(
                text("SELECT case_id FROM audit_events GROUP BY case_id ORDER BY count(*) DESC")
            )
        )


def _no_scan_of_events(found: list[str]) -> None:
    for plan in found:
        assert "Seq Scan on audit_events" not in plan, plan


def test_the_case_list_reads_a_page_by_index(big: Runtime) -> None:
    found = plans(big.engine, lambda: views.list_cases(big, COORDINATOR))
    _no_scan_of_events(found)
    (page,) = found
    assert "Index Scan using pk_cases on cases" in page, page
    assert "Seq Scan on cases" not in page, page


def test_the_case_page_reads_its_history_by_index(big: Runtime) -> None:
    case_id = _long_case(big)
    detail = views.case_detail(big, COORDINATOR, case_id)
    assert detail.history_before is not None  # a long case: its history is paged
    for before in (None, detail.history_before):
        found = plans(
            big.engine,
            partial(views.case_detail, big, COORDINATOR, case_id, history_before=before),
        )
        _no_scan_of_events(found)
        history = [p for p in found if "audit_events" in p]
        assert history, found
        assert all("uq_audit_events_case_seq" in p for p in history), history


def test_the_audit_page_reads_the_newest_events_by_index(big: Runtime) -> None:
    newest = lambda: auditquery.list_events(big, AUDITOR, limit=50, newest_first=True)  # noqa: E731
    found = plans(big.engine, newest)
    _no_scan_of_events(found)
    (page,) = found
    assert "Index Scan Backward using pk_audit_events" in page, page
    # and the API's page of one case's events
    case_id = _long_case(big)
    first, nxt = auditquery.case_events(big, COORDINATOR, case_id, limit=100)
    assert nxt is not None
    for cursor in (None, nxt):
        found = plans(
            big.engine,
            partial(auditquery.case_events, big, COORDINATOR, case_id, cursor=cursor),
        )
        _no_scan_of_events(found)
        page = found[-1]
        assert "uq_audit_events_case_seq" in page, page
        assert "Filter: (case_id" not in page, page  # not the whole log's key, filtered
    second, _ = auditquery.case_events(big, COORDINATOR, case_id, limit=100, cursor=nxt)
    assert [e.seq for e in first + second] == list(range(1, 201))
