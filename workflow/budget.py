"""A cycle's budget against what its mentor hours and other cost lines consume.

The policy's ``budget:`` section (:class:`workflow.policies.BudgetPolicy`) is the one
source of the figures: the hourly rate, the hours planned per case, the other cost lines
(per enrolled case or once per cycle), the warning thresholds and whether spending may
go over the budget. This module is the one place that adds them up: the budget page, the
API and the consultation writer (which refuses hours the budget cannot pay) all ask it.

- spent = recorded mentor hours x rate + the other cost lines (per case for every case
  enrolled in the cycle, and the per-cycle lines once);
- committed = hours planned per case x rate x cases enrolled + the same cost lines;
- remaining = budget - spent.

Amounts are ``Decimal`` throughout, rounded to the cent only where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Connection, func, select

from workflow.db import read
from workflow.errors import Conflict, InvalidInput, NotFound
from workflow.localformat import eur
from workflow.orm import Case, Consultation, Cycle
from workflow.policies import BudgetPolicy, Policy
from workflow.runtime import PROGRAMME_ZONE, Runtime

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class MentorSpending:
    """One mentor's recorded hours in the cycle and what they cost."""

    mentor: str
    hours: Decimal
    spent_eur: Decimal


@dataclass(frozen=True, slots=True)
class CostFigure:
    """One other cost line for the cycle: its amount and how many times it is counted."""

    id: str
    label_lv: str
    label_en: str
    per: str
    unit_eur: Decimal
    count: int
    eur: Decimal


@dataclass(frozen=True, slots=True)
class BudgetWarning:
    """A threshold reached (``spent``, with its percentage) or a plan over the budget
    (``committed``), in both languages."""

    code: str
    percent: int | None
    message_en: str
    message_lv: str


@dataclass(frozen=True, slots=True)
class CycleBudget:
    """The figures of one cycle's budget."""

    cycle_id: int
    cycle: str
    budget_eur: Decimal
    mentor_hour_eur: Decimal
    cases: int
    planned_hours_per_case: Decimal
    mentor_hours: Decimal
    mentor_spent_eur: Decimal
    other_costs_eur: Decimal
    committed_eur: Decimal
    spent_eur: Decimal
    remaining_eur: Decimal
    used_percent: Decimal | None
    allow_overrun: bool
    mentors: tuple[MentorSpending, ...]
    other_costs: tuple[CostFigure, ...]
    warnings: tuple[BudgetWarning, ...]


def require_policy(policy: Policy) -> BudgetPolicy:
    """The policy's ``budget:`` section, or a Conflict saying there is none."""
    if policy.spec.budget is None:
        raise Conflict(
            "the policy in force has no budget: section, so no cycle's spending is tracked",
            "no_budget_policy",
            "spēkā esošajai politikai nav sadaļas budget:, tāpēc ciklu tēriņi netiek uzskaitīti",
        )
    return policy.spec.budget


def _cost_lines(bp: BudgetPolicy, cases: int) -> tuple[CostFigure, ...]:
    out = []
    for line in bp.other_costs:
        count = cases if line.per == "case" else 1
        out.append(
            CostFigure(
                line.id, line.label.lv, line.label.en, line.per, line.eur, count, line.eur * count
            )
        )
    return tuple(out)


def _hours_by_mentor(
    conn: Connection, cycle_id: int, as_of: date | None
) -> list[tuple[str, Decimal]]:
    q = (
        select(Consultation.mentor, func.coalesce(func.sum(Consultation.hours), 0))
        .join(Case, Case.id == Consultation.case_id)
        .where(Case.cycle_id == cycle_id)
        .group_by(Consultation.mentor)
        .order_by(Consultation.mentor)
    )
    if as_of is not None:
        q = q.where(Consultation.held_on <= as_of)
    return [(str(m), Decimal(h)) for m, h in conn.execute(q).all()]


def _cases(conn: Connection, cycle_id: int, as_of: date | None) -> int:
    q = select(func.count()).where(Case.cycle_id == cycle_id)
    if as_of is not None:  # enrolled by the end of the programme's day
        end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=PROGRAMME_ZONE)
        q = q.where(Case.enrolled_at < end)
    return int(conn.scalar(q) or 0)


def _warnings(
    bp: BudgetPolicy, budget: Decimal, spent: Decimal, committed: Decimal
) -> tuple[BudgetWarning, ...]:
    """The highest threshold spending has reached, and a plan that exceeds the budget."""
    out = []
    reached = [
        p for p in bp.warn_at_percent if (spent >= budget * p / 100 if budget > 0 else spent > 0)
    ]
    if reached:
        p = reached[-1]
        out.append(
            BudgetWarning(
                "spent",
                p,
                f"spending has reached {p} % of the budget: {eur(spent, 'en')} of {eur(budget, 'en')}",
                f"tēriņi sasnieguši {p} % no budžeta: {eur(spent, 'lv')} no {eur(budget, 'lv')}",
            )
        )
    if committed > budget:
        out.append(
            BudgetWarning(
                "committed",
                None,
                f"the planned costs {eur(committed, 'en')} exceed the budget {eur(budget, 'en')}",
                f"plānotās izmaksas {eur(committed, 'lv')} pārsniedz budžetu {eur(budget, 'lv')}",
            )
        )
    return tuple(out)


def figures(
    conn: Connection, policy: Policy, cycle_id: int, as_of: date | None = None
) -> CycleBudget:
    """The cycle's budget figures, read in the caller's transaction: now, or as they stood
    at the end of ``as_of`` (consultations held and cases enrolled by then; the council
    report asks so)."""
    bp = require_policy(policy)
    cycle = conn.execute(select(Cycle.name, Cycle.budget_eur).where(Cycle.id == cycle_id)).first()
    if cycle is None:
        raise NotFound("cycle", cycle_id)
    budget = Decimal(cycle.budget_eur)
    cases = _cases(conn, cycle_id, as_of)
    rate = bp.mentor_hour_eur
    mentors = tuple(
        MentorSpending(m, h, h * rate) for m, h in _hours_by_mentor(conn, cycle_id, as_of)
    )
    hours = sum((m.hours for m in mentors), Decimal(0))
    lines = _cost_lines(bp, cases)
    other = sum((c.eur for c in lines), Decimal(0))
    spent = hours * rate + other
    committed = bp.planned_hours_per_case * rate * cases + other
    used = (spent * 100 / budget).quantize(CENT) if budget > 0 else None
    return CycleBudget(
        cycle_id=cycle_id,
        cycle=cycle.name,
        budget_eur=budget,
        mentor_hour_eur=rate,
        cases=cases,
        planned_hours_per_case=bp.planned_hours_per_case,
        mentor_hours=hours,
        mentor_spent_eur=hours * rate,
        other_costs_eur=other,
        committed_eur=committed,
        spent_eur=spent,
        remaining_eur=budget - spent,
        used_percent=used,
        allow_overrun=bp.allow_overrun,
        mentors=mentors,
        other_costs=lines,
        warnings=_warnings(bp, budget, spent, committed),
    )


def cycle_budget(rt: Runtime, cycle_id: int) -> CycleBudget:
    """The cycle's budget figures under the policy in force (one read transaction)."""
    policy = rt.rules.policy
    with read(rt.engine) as conn:
        return figures(conn, policy, cycle_id)


def _hours_text(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def check_hours(conn: Connection, policy: Policy | None, cycle_id: int, hours: Decimal) -> None:
    """Refuse ``hours`` more of mentoring in the cycle when they would take its spending
    over the budget and the policy does not allow an overrun (no ``budget:`` section:
    nothing is checked). Runs in the writer's transaction, holding the cycle's row, so two
    consultations in one cycle cannot both take the last of its budget."""
    if policy is None or policy.spec.budget is None or policy.spec.budget.allow_overrun:
        return
    conn.execute(select(Cycle.id).where(Cycle.id == cycle_id).with_for_update()).one()
    f = figures(conn, policy, cycle_id)
    cost = hours * f.mentor_hour_eur
    if f.spent_eur + cost <= f.budget_eur:
        return
    left = max(f.remaining_eur, Decimal(0))
    h = _hours_text(hours)
    en = (
        f"{h} mentor hours cost {eur(cost, 'en')} at {eur(f.mentor_hour_eur, 'en')} an hour and "
        f"would take the cycle's spending to {eur(f.spent_eur + cost, 'en')}, over its budget of "
        f"{eur(f.budget_eur, 'en')} ({eur(left, 'en')} remains); the policy allows no overrun"
    )
    lv = (
        f"{h} mentora stundas maksā {eur(cost, 'lv')} (stunda {eur(f.mentor_hour_eur, 'lv')}) un "
        f"cikla tēriņi sasniegtu {eur(f.spent_eur + cost, 'lv')}, vairāk par tā budžetu "
        f"{eur(f.budget_eur, 'lv')} (atlikums {eur(left, 'lv')}); politika pārtēriņu neatļauj"
    )
    raise InvalidInput({"hours": en}, {"hours": lv})
