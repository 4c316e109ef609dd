"""The case head every write starts from: the same columns, by name, on both read paths.

A write reads the head either alone (``chain.load_head``: evidence, migrations) or with the
evidence a trigger's guards need (``factloader.load_head_and_facts``: the transition's hot
path, where the facts' columns follow the head's). A field read from the wrong column would
hand the optimistic lock the wrong version, or a mentor's access check the wrong mentor.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update

from workflow import accounts, chain
from workflow.factloader import load_head_and_facts
from workflow.orm import AuditEvent, Case, User
from workflow.runtime import Runtime
from workflow.schemas import UserIn


def _expected(rt: Runtime, case_id: int) -> chain.CaseHead:
    """The head as the database holds it, read column by column with the ORM."""
    with rt.engine.connect() as conn:
        case = conn.execute(select(Case).where(Case.id == case_id)).one()
        last = conn.scalar(
            select(AuditEvent.hash)
            .where(AuditEvent.case_id == case_id)
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        )
    assert last is not None
    return chain.CaseHead(
        id=case.id,
        state=case.state,
        version=case.version,
        head_hash=last,
        mentor_id=case.mentor_id,
        cycle_id=case.cycle_id,
    )


def _both(rt: Runtime, case_id: int, needs: frozenset[str]) -> list[chain.CaseHead]:
    with rt.engine.begin() as conn:
        alone = chain.load_head(conn, case_id)
        with_facts, _ = load_head_and_facts(conn, case_id, needs, rt.today())
    return [alone, with_facts]


def test_both_read_paths_give_the_head_the_database_holds(
    rt: Runtime,
    make_cycle: Callable[..., int],
    make_case: Callable[..., int],
    walk: Callable[..., int | None],
) -> None:
    make_cycle()  # the case's cycle id differs from its case id and from 1
    case_id = make_case(make_cycle())
    accounts.add_user(rt, UserIn(name="anna", role="mentor"), None)
    with rt.engine.begin() as conn:
        mentor = conn.scalar(select(User.id).where(User.name == "anna"))
        conn.execute(update(Case).where(Case.id == case_id).values(mentor_id=mentor))
    walk(case_id, "analysed")  # evidence and a transition: the version and hash moved on

    expected = _expected(rt, case_id)
    assert (expected.state, expected.mentor_id) == ("analysed", mentor)
    assert expected.version > 2
    assert expected.cycle_id != expected.id
    for needs in (frozenset(), frozenset({"analysis", "consultations"}), frozenset({"sources"})):
        assert _both(rt, case_id, needs) == [expected, expected]
