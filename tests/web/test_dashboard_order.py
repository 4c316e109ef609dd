"""The dashboard's overdue list puts the most overdue case first (the engine sorts it);
without JavaScript the diagram's source is never shown (the table of counts stands in)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from workflow import registry
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]
CSS = Path(__file__).parents[2] / "web" / "static" / "css" / "app.css"


def test_overdue_cases_are_sorted_by_days_over_descending(
    client_as: Client, app_rt: Runtime
) -> None:
    pilot = next(c for c in registry.list_cycles(app_rt) if "2023" in c.name)
    page = (
        client_as("coordinator").get(f"/?cycle={pilot.id}&as_of=2024-03-01").get_data(as_text=True)
    )
    body = page.split('id="overdue"', 1)[1].split("</tbody>", 1)[0]
    days = [int(d) for d in re.findall(r"<td>(\d+)</td></tr>", body)]
    assert len(days) >= 2
    assert days == sorted(days, reverse=True)
    assert len(set(days)) > 1  # the order is visible, not a tie


def test_the_diagram_source_is_hidden_until_drawn() -> None:
    css = CSS.read_text(encoding="utf-8")
    assert "figure.diagram { display: none;" in css
    assert "html.js figure.diagram { display: block;" in css
