"""The council report as tables: the figures, then one table per list.

One description of every row and column serves all the formats: the HTML page and the
PDF show :meth:`Table.shown` cells, the spreadsheet writes the typed values (numbers,
dates) with a number format by the column's kind, and a CSV file is one table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web.councilreport.words import N_, Kind, Words
from workflow.councilreport import CouncilReport


@dataclass(frozen=True)
class Column:
    """A column: its title in the report's language and how its cells are written."""

    title: str
    kind: Kind = "text"

    @property
    def numeric(self) -> bool:
        """Whether its cells are numbers (right-aligned, summed by a spreadsheet)."""
        return self.kind in ("int", "eur", "days", "hours")


@dataclass(frozen=True)
class Table:
    """One list of the report: ``name`` is its code (the CSV's ``list``)."""

    name: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    kinds: list[list[Kind]] = field(default_factory=list)  # per cell, where a row mixes kinds

    def kind(self, row: int, col: int) -> Kind:
        """The kind of one cell: the column's, unless the row says otherwise."""
        return self.kinds[row][col] if self.kinds else self.columns[col].kind

    def shown(self, w: Words) -> list[list[str]]:
        """Every cell as a reader sees it."""
        return [
            [w.show(v, self.kind(r, c)) for c, v in enumerate(row)]
            for r, row in enumerate(self.rows)
        ]


#: The lists, by their code: what ``--list`` and ``?list=`` accept.
LISTS = ("figures", "funnel", "sources", "domains", "mentors", "organisations")


def figures(r: CouncilReport, w: Words) -> Table:
    """The headline figures: the JSON report's, then the mentor hours and the budget."""
    f, b = r.figures, r.budget
    items: list[tuple[str, Any, Kind]] = [
        (w(N_("Cycle")), r.cycle_name, "text"),
        (w(N_("As of")), r.as_of, "date"),
        (w(N_("Organisations")), f.organisations, "int"),
        (w(N_("Places")), f.capacity, "int"),
        (w(N_("Budget")), f.budget_eur, "eur"),
        (w(N_("Funds awarded")), f.awarded_eur, "eur"),
        (w(N_("Organisations awarded funds")), f.awarded_organisations, "int"),
        (w(N_("Submitted, awaiting decision")), f.submitted_awaiting, "int"),
        (w(N_("Prepared, waiting for a call to open")), f.prepared_waiting_for_call, "int"),
        (w(N_("Total budget of the projects")), f.total_budget_eur, "eur"),
        (w(N_("Largest project")), f.largest_project_eur, "eur"),
        (w(N_("Overdue cases")), f.overdue_cases, "int"),
        (w(N_("Mentor hours")), b.hours, "hours"),
    ]
    if b.mentor_hour_eur is not None:
        items += [
            (w(N_("Mentor hour rate")), b.mentor_hour_eur, "eur"),
            (w(N_("Budget used")), b.spent_eur, "eur"),
            (w(N_("Budget remaining")), b.remaining_eur, "eur"),
        ]
        if b.other_costs_eur:  # counted in the budget used (workflow.budget)
            items.insert(-2, (w(N_("Other costs")), b.other_costs_eur, "eur"))
    return Table(
        "figures",
        w(N_("Figures")),
        [Column(w(N_("Figure"))), Column(w(N_("Value")))],
        [[label, value] for label, value, _k in items],
        kinds=[["text", kind] for _l, _v, kind in items],
    )


def funnel(r: CouncilReport, w: Words) -> Table:
    """The states in order: reached, standing in, and the median length of a stay."""
    return Table(
        "funnel",
        w(N_("Cases through the states")),
        [
            Column(w(N_("State"))),
            Column(w(N_("Reached")), "int"),
            Column(w(N_("In it now")), "int"),
            Column(w(N_("Finished stays")), "int"),
            Column(w(N_("Median days in the state")), "days"),
        ],
        [[w.state(f.state), f.reached, f.now, f.finished_stays, f.median_days] for f in r.funnel],
    )


def _money_columns(w: Words) -> list[Column]:
    return [
        Column(w(N_("Applications")), "int"),
        Column(w(N_("Submitted")), "int"),
        Column(w(N_("Awarded")), "int"),
        Column(w(N_("Funds awarded")), "eur"),
        Column(w(N_("Total budget of the projects")), "eur"),
    ]


def sources(r: CouncilReport, w: Words) -> Table:
    """Funds attracted per funding source."""
    return Table(
        "sources",
        w(N_("Funds attracted by funding source")),
        [Column(w(N_("Funder"))), Column(w(N_("Programme"))), *_money_columns(w)],
        [
            [s.funder, s.programme, s.applications, s.submitted, s.awarded]
            + [s.awarded_eur, s.total_budget_eur]
            for s in r.by_source
        ],
    )


def domains(r: CouncilReport, w: Words) -> Table:
    """Funds attracted per project domain."""
    return Table(
        "domains",
        w(N_("Funds attracted by project domain")),
        [Column(w(N_("Domain"))), *_money_columns(w)],
        [
            [w.domain(d.key), d.applications, d.submitted, d.awarded]
            + [d.awarded_eur, d.total_budget_eur]
            for d in r.by_domain
        ],
    )


def mentors(r: CouncilReport, w: Words) -> Table:
    """Mentor hours (and their cost where the policy sets an hourly rate)."""
    costed = r.budget.mentor_hour_eur is not None
    columns = [
        Column(w(N_("Mentor"))),
        Column(w(N_("Consultations")), "int"),
        Column(w(N_("Hours")), "hours"),
    ]
    if costed:
        columns.append(Column(w(N_("Cost")), "eur"))
    return Table(
        "mentors",
        w(N_("Mentor hours")),
        columns,
        [
            [m.mentor, m.consultations, m.hours] + ([m.spent_eur] if costed else [])
            for m in r.budget.mentors
        ],
    )


def organisations(r: CouncilReport, w: Words) -> Table:
    """One line per organisation."""
    return Table(
        "organisations",
        w(N_("Organisations")),
        [
            Column(w(N_("Organisation"))),
            Column(w(N_("Registration number"))),
            Column(w(N_("State"))),
            Column(w(N_("In this state since")), "date"),
            Column(w(N_("Days over the deadline")), "int"),
            Column(w(N_("Mentor"))),
            Column(w(N_("Consultations")), "int"),
            Column(w(N_("Hours")), "hours"),
            *_money_columns(w),
        ],
        [
            [o.organisation, o.reg_no, w.state(o.state), o.state_since, o.days_over_deadline]
            + [o.mentor, o.consultations, o.hours, o.applications, o.submitted, o.awarded]
            + [o.awarded_eur, o.total_budget_eur]
            for o in r.organisations
        ],
    )


def tables(r: CouncilReport, w: Words) -> list[Table]:
    """Every table of the report, in :data:`LISTS` order."""
    return [figures(r, w), funnel(r, w), sources(r, w), domains(r, w), mentors(r, w)] + [
        organisations(r, w)
    ]
