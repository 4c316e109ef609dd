"""The cycle dashboard: capacity, cases per state, overdue cases, the programme's figures
and the workflow diagram drawn from the states file with the number of cases per state.

Every figure and the overdue list are computed as of the same chosen day (default today),
both replayed from the audit log by ``workflow.reports``."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from web.context import actor, runtime
from web.ui.helpers import state_label, trigger_label
from workflow import registry, reports
from workflow.permissions import acts_for_organisation

bp = Blueprint("ui_dashboard", __name__)

# The diagram needs the <style> element mermaid writes into its SVG; scripts stay 'self'.
DIAGRAM_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_STATE_LINE = re.compile(r'^(\s*)state "([^"]*)" as (\S+)\s*$')
_CLASS_LINE = re.compile(r"^(\s*)Class (\S+) s_active\s*$")
_EDGE_LINE = re.compile(r"^(\s*\S+ --> \S+): (\w+)\s*$")


def diagram(source: str, counts: dict[str, int]) -> str:
    """The ``transitions`` mermaid text with each state labelled and counted."""
    out = []
    for line in source.splitlines():
        m = _STATE_LINE.match(line)
        if m:
            label = state_label(m.group(3)).replace('"', "'")
            line = f'{m.group(1)}state "{label} ({counts.get(m.group(3), 0)})" as {m.group(3)}'
        elif c := _CLASS_LINE.match(line):
            # the anchor model's "current state" is no case's state: no highlight
            line = f"{c.group(1)}Class {c.group(2)} s_default"
        elif e := _EDGE_LINE.match(line):
            label = trigger_label(e.group(2)).replace(":", " ").replace(";", ",")
            line = f"{e.group(1)}: {label}"
        out.append(line)
    return "\n".join(out)


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """One cycle's figures (the chosen one, else the newest that has cases); an
    organisation's representative goes to their organisation's cases instead."""
    rt = runtime()
    if acts_for_organisation(rt.rules, actor()):
        return redirect(url_for("ui_cases.index"))
    cycles = registry.list_cycles(rt)
    as_of_raw = request.args.get("as_of", "")
    try:
        as_of = date.fromisoformat(as_of_raw) if as_of_raw else rt.today()
    except ValueError:
        abort(400, _("As of: %(hint)s", hint=_("a date YYYY-MM-DD")))
    report = None
    cycle = None
    overdue: list[reports.OverdueCase] = []
    if cycles:
        # one replay per cycle looked at: the chosen cycle, else each newest-first until
        # one has organisations (or the last); its report and the actor's overdue cases
        # come from the same replay
        wanted = request.args.get("cycle", type=int)
        chosen = next((c for c in cycles if c.id == wanted), None)
        who = actor()
        for c in [chosen] if chosen else cycles:
            cycle = c
            report, overdue = reports.cycle_overview(rt, who, c.id, as_of)
            if report.organisations:
                break
    rules = rt.rules
    resp = make_response(
        render_template(
            "dashboard.html",
            cycles=cycles,
            cycle=cycle,
            report=report,
            as_of=as_of,
            overdue=overdue,
            states=rules.states.state_ids,
            # drawn only where the page shows it (there is a cycle)
            mermaid=diagram(rules.mermaid(), report.cases_by_state) if report else "",
        )
    )
    resp.headers["Content-Security-Policy"] = DIAGRAM_CSP
    return resp
