"""Which cases a list shows: the actor's scope and the filters, as one SQL statement.

One definition for the keyset-paged list (:func:`workflow.views.list_cases`, the API's
``GET /cases``) and the sorted list (:mod:`workflow.caselist`), which reads only the
columns it sorts by for every matching case and builds full rows for the page it shows.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select

from workflow.actors import Actor
from workflow.deadlines import overdue_clause
from workflow.errors import InvalidInput
from workflow.notelist import notes_match
from workflow.orm import Case, Cycle, Organisation, User
from workflow.permissions import case_scope_clause, sees_internal_notes
from workflow.rules import Rules
from workflow.schemas import SEARCH_MAX, refuse_nul


def base_query() -> Select[Case, str, str, str, str | None]:
    """A case with its organisation's name and register number, cycle and mentor."""
    return (
        select(Case, Organisation.name, Organisation.reg_no, Cycle.name, User.name)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .join(Cycle, Cycle.id == Case.cycle_id)
        .outerjoin(User, User.id == Case.mentor_id)
    )


#: any select over :func:`base_query`'s joins, whatever its columns
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def filtered(
    q: S,
    rules: Rules,
    actor: Actor,
    today: date,
    *,
    cycle_id: int | None = None,
    state: str | None = None,
    overdue: bool | None = None,
    search: str | None = None,
) -> S:
    """``q`` (over :func:`base_query`'s joins) limited to the cases the actor may see
    that pass the filters; a bad filter is refused naming it."""
    if state is not None and state not in rules.states.state_ids:
        raise InvalidInput(
            {"state": f"{state!r} is not a declared state"},
            {"state": f"{state!r} nav noteikts statuss"},
        )
    scope = case_scope_clause(rules, actor)
    if scope is not None:
        q = q.where(scope)
    if cycle_id is not None:
        q = q.where(Case.cycle_id == cycle_id)
    if state is not None:
        q = q.where(Case.state == state)
    if overdue is not None:
        clause = overdue_clause(rules, today)
        q = q.where(clause if overdue else ~clause)
    if search is not None:
        search = search.strip()
        refuse_nul("search", search)
        if len(search) > SEARCH_MAX:
            raise InvalidInput(
                {"search": f"at most {SEARCH_MAX} characters"},
                {"search": f"ne vairāk kā {SEARCH_MAX} rakstzīmes"},
            )
    if search:
        # % and _ are the user's characters, not wildcards
        q = q.where(
            or_(
                Organisation.name.icontains(search, autoescape=True),
                Organisation.reg_no.contains(search, autoescape=True),
                notes_match(search, shared_only=not sees_internal_notes(rules, actor)),
            )
        )
    return q
