"""The council report as an HTML document and as a PDF printed from it by WeasyPrint.

The template (``templates/reports/_council.html``) is the one the web page shows; here it
is rendered by a plain Jinja2 environment, so the command line needs no web app. The PDF
embeds the subset of DejaVu Sans it uses (Debian's ``fonts-dejavu-core``, installed by
``test.sh`` and ``run.sh``), so ā, č, ē, ģ, ī, ķ, ļ, ņ, š, ū and ž print anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from web.councilreport.charts import Chart, charts
from web.councilreport.tables import Table, tables
from web.councilreport.words import N_, Words
from workflow.councilreport import CouncilReport

WEB = Path(__file__).parents[1]
CSS = WEB / "static" / "css" / "report.css"


@dataclass(frozen=True)
class Doc:
    """What the template shows, every word already in the report's language."""

    lang: str
    title: str
    heading: str
    subtitle: str
    budget_note: str
    funnel_note: str
    none: str
    footer: str
    tables: list[Table]
    shown: dict[str, list[list[str]]]
    charts: list[Chart]


def budget_note(r: CouncilReport, w: Words) -> str:
    """The budget used, in one sentence: money where the policy sets a rate, else hours."""
    b = r.budget
    if b.spent_eur is None:
        return w(
            N_(
                "Budget %(budget)s; mentors held %(hours)s hours of consultations. The policy "
                "sets no EUR rate for a mentor hour, so the hours are not costed here."
            ),
            budget=w.show(b.budget_eur, "eur"),
            hours=w.show(b.hours, "hours"),
        )
    if b.other_costs_eur:
        return w(
            N_(
                "Budget used: %(spent)s of %(budget)s (%(hours)s mentor hours × %(rate)s "
                "and the policy's other costs %(other)s)."
            ),
            spent=w.show(b.spent_eur, "eur"),
            budget=w.show(b.budget_eur, "eur"),
            hours=w.show(b.hours, "hours"),
            rate=w.show(b.mentor_hour_eur, "eur"),
            other=w.show(b.other_costs_eur, "eur"),
        )
    return w(
        N_("Budget used: %(spent)s of %(budget)s (%(hours)s mentor hours × %(rate)s)."),
        spent=w.show(b.spent_eur, "eur"),
        budget=w.show(b.budget_eur, "eur"),
        hours=w.show(b.hours, "hours"),
        rate=w.show(b.mentor_hour_eur, "eur"),
    )


def doc(r: CouncilReport, w: Words) -> Doc:
    """The report's words and cells for the template."""
    all_tables = tables(r, w)
    return Doc(
        lang=w.lang,
        title=w(N_("Report to the council")),
        heading=r.cycle_name,
        subtitle=w(
            N_("Cycle %(start)s – %(end)s; figures as of %(day)s"),
            start=w.show(r.starts_on, "date"),
            end=w.show(r.ends_on, "date"),
            day=w.show(r.as_of, "date"),
        ),
        budget_note=budget_note(r, w),
        funnel_note=w(
            N_(
                "Median days: of the stays that ended by the day; a case still in a state "
                "is counted under “In it now”."
            )
        ),
        none=w(N_("None.")),
        footer=w(
            N_("Computed from the programme's dated records by Inkubators; as of %(day)s"),
            day=w.show(r.as_of, "date"),
        ),
        tables=all_tables,
        shown={t.name: t.shown(w) for t in all_tables},
        charts=charts(r, w),
    )


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(WEB / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def html(r: CouncilReport, w: Words) -> str:
    """A self-contained HTML document (styles and charts inside)."""
    template = _environment().get_template("reports/council_document.html")
    return template.render(doc=doc(r, w), css=CSS.read_text(encoding="utf-8"))


def pdf(r: CouncilReport, w: Words) -> bytes:
    """The HTML document printed to PDF (A4, page numbers, fonts embedded)."""
    import weasyprint  # loads Pango: only where a PDF is asked for

    return bytes(weasyprint.HTML(string=html(r, w)).write_pdf())
