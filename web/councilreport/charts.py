"""The council report's charts: SVG drawn on the server by pygal, readable on paper.

No script and nothing fetched (pygal's tooltips load a script from the web by default:
``js=[]`` turns them off), black text on white, large type, the value printed on each bar,
so a chart says the same in a browser, in the PDF and on a black-and-white printer. Every
chart repeats a table of the report, which carries the exact figures.
"""

from __future__ import annotations

import base64
import sys
from dataclasses import dataclass
from decimal import Decimal

import pygal
from pygal.style import Style

from web.councilreport.words import N_, Kind, Words
from workflow.councilreport import CouncilReport

# pygal appends an old-style import hook for its map plugins (``pygal.maps.*``, unused
# here) to ``sys.meta_path``; it has no ``find_spec``, so every import that no finder
# answers (an optional module probed by another library) then warns. Take it out again.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

STYLE = Style(
    font_family="'DejaVu Sans', sans-serif",
    background="white",
    plot_background="white",
    foreground="#000",
    foreground_strong="#000",
    foreground_subtle="#555",
    colors=("#9dc3e6", "#f4b183", "#a9d18e", "#ffd966"),  # light: black figures on them
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    value_label_font_size=13,
    legend_font_size=13,
    title_font_size=16,
)


@dataclass(frozen=True)
class Chart:
    """A chart: its title, a text alternative and the SVG document."""

    name: str
    title: str
    alt: str
    svg: str

    @property
    def data_uri(self) -> str:
        """The SVG as a ``data:`` URI for an ``<img>`` (no inline style in the page)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _bars(
    title: str, labels: list[str], series: list[tuple[str, list[float]]], w: Words, kind: Kind
) -> str:
    money = kind == "eur"

    def fmt(v: float | None) -> str:
        if not v:
            return ""  # no bar, no figure (it would overwrite the bar's label)
        return w.show(Decimal(str(v)) if kind != "int" else int(v), kind)

    chart = pygal.HorizontalBar(
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        width=760,
        height=int(90 + 34 * max(len(labels), 1) * len(series)),
        print_values=True,
        print_values_position="center",
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        title=title,
        value_formatter=fmt,
        truncate_label=-1,
        x_label_rotation=0,
        margin=12,
        show_x_labels=not money,  # the amounts axis (amounts are printed on the bars)
    )
    # pygal draws the first label at the bottom: reversed, the chart reads like its table
    chart.x_labels = labels[::-1]
    for name, values in series:
        chart.add(name, values[::-1])
    return str(chart.render(is_unicode=True))


def charts(r: CouncilReport, w: Words) -> list[Chart]:
    """The funnel, the funds by domain and by source, and the mentor hours."""
    out = []
    states = [f for f in r.funnel if f.reached or f.now]
    title = w(N_("Cases through the states"))
    out.append(
        Chart(
            "funnel",
            title,
            w(N_("%(title)s: a bar per state; the figures are in the table below."), title=title),
            _bars(
                title,
                [w.state(f.state) for f in states],
                [
                    (w(N_("Reached")), [f.reached for f in states]),
                    (w(N_("In it now")), [f.now for f in states]),
                ],
                w,
                "int",
            ),
        )
    )
    title = w(N_("Funds attracted by project domain"))
    out.append(
        Chart(
            "domains",
            title,
            w(N_("%(title)s: a bar per row of the table below."), title=title),
            _bars(
                title,
                [w.domain(d.key) for d in r.by_domain],
                [(w(N_("Funds awarded")), [float(d.awarded_eur) for d in r.by_domain])],
                w,
                "eur",
            ),
        )
    )
    won = [s for s in r.by_source if s.awarded_eur]
    if won:
        title = w(N_("Funds attracted by funding source"))
        out.append(
            Chart(
                "sources",
                title,
                w(N_("%(title)s: a bar per row of the table below."), title=title),
                _bars(
                    title,
                    [f"{s.funder}: {s.programme}" for s in won],
                    [(w(N_("Funds awarded")), [float(s.awarded_eur) for s in won])],
                    w,
                    "eur",
                ),
            )
        )
    mentors = r.budget.mentors
    if mentors:
        title = w(N_("Mentor hours"))
        out.append(
            Chart(
                "mentors",
                title,
                w(N_("%(title)s: a bar per row of the table below."), title=title),
                _bars(
                    title,
                    [m.mentor for m in mentors],
                    [(w(N_("Hours")), [float(m.hours) for m in mentors])],
                    w,
                    "hours",
                ),
            )
        )
    return out
