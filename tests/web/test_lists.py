"""The lists a coordinator expects, on the demo programme: the case list sorted by any
column (Latvian order for names), filtered by mentor and due day, exported to CSV and
xlsx and printable; the lists of organisations, cycles and funding sources with their
edit forms, each edit in the account log; dates with four-digit years."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask.testing import FlaskClient
from openpyxl import load_workbook

from workflow import accountlog, auditlog, registry
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def listed_names(html: str) -> list[str]:
    """The organisations in the case table, in the order shown."""
    if '<table id="cases">' not in html:
        return []
    table = html.split('<table id="cases">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/cases/\d+">([^<]+)</a>', table)


def test_the_case_list_sorts_names_in_latvian_order(client_as: Client) -> None:
    html = client_as("coordinator").get("/cases/?cycle=1&sort=organisation").get_data(as_text=True)
    names = [n.replace("&#34;", '"') for n in listed_names(html)]
    assert len(names) == 11
    k = names.index("Keep The Change")
    assert names[k + 1] == "kultūrBĀKA"  # among the K's, not after the Z's
    assert names[k + 2].startswith("Liepājas")
    assert names[-1].startswith("Zaļo")
    backwards = listed_names(
        client_as("coordinator")
        .get("/cases/?cycle=1&sort=organisation&dir=desc")
        .get_data(as_text=True)
    )
    assert [n.replace("&#34;", '"') for n in backwards] == names[::-1]


def test_the_case_list_filters_by_mentor(client_as: Client, app_rt: Runtime) -> None:
    c = client_as("coordinator")
    all_names = listed_names(c.get("/cases/?sort=organisation").get_data(as_text=True))
    janis = listed_names(c.get("/cases/?mentor=janis&sort=organisation").get_data(as_text=True))
    anna = listed_names(c.get("/cases/?mentor=anna&sort=organisation").get_data(as_text=True))
    nobody = listed_names(c.get("/cases/?mentor=-&sort=organisation").get_data(as_text=True))
    assert janis
    assert anna
    assert set(janis) < set(all_names)
    assert sorted(janis + anna + nobody) == sorted(all_names)
    page = c.get("/cases/?mentor=janis").get_data(as_text=True)
    rows = page.split('<table id="cases">', 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == len(janis) + 1  # the header row and janis's cases only
    assert "anna" not in rows


def test_due_filters_and_their_errors(client_as: Client) -> None:
    c = client_as("coordinator")
    # on 2024-02-20 every open pilot case is long past its state's deadline
    soon = listed_names(c.get("/cases/?due_within=0").get_data(as_text=True))
    overdue = listed_names(c.get("/cases/?overdue=yes").get_data(as_text=True))
    assert soon
    assert set(overdue) <= set(soon)
    bad = c.get("/cases/?due_within=soon&due_before=31.01.2024")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200
    assert "due_within" in text
    assert "due_before" in text
    assert '<table id="cases">' not in text  # nothing rather than everything
    assert c.get("/cases/export.csv?sort=colour").status_code == 400


def test_csv_export_is_the_filtered_sorted_list(client_as: Client) -> None:
    c = client_as("coordinator")
    shown = listed_names(c.get("/cases/?mentor=janis&sort=due").get_data(as_text=True))
    resp = c.get("/cases/export.csv?mentor=janis&sort=due")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0][:2] == ["Lieta", "Organizācija"]
    assert [r[1] for r in rows[1:]] == [n.replace("&#34;", '"') for n in shown]
    assert {r[6] for r in rows[1:]} == {"janis"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[5]) for r in rows[1:])


def test_xlsx_export_has_typed_cells(client_as: Client) -> None:
    resp = client_as("coordinator").get("/cases/export.xlsx?cycle=1&sort=since")
    assert resp.status_code == 200
    assert resp.mimetype == XLSX
    sheet = load_workbook(io.BytesIO(resp.get_data())).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 12  # the header and the pilot's 11 cases
    assert all(isinstance(r[0], int) for r in values[1:])
    assert all(isinstance(r[5], datetime) for r in values[1:])
    assert [r[5] for r in values[1:]] == sorted(r[5] for r in values[1:])


def test_a_mentor_exports_only_their_cases(client_as: Client) -> None:
    rows = list(
        csv.reader(io.StringIO(client_as("mentor").get("/cases/export.csv").get_data(as_text=True)))
    )
    assert len(rows) > 1
    assert {r[6] for r in rows[1:]} == {"janis"}


def test_the_case_list_prints_with_its_filters(client_as: Client) -> None:
    html = (
        client_as("coordinator").get("/cases/?mentor=janis&cycle=1&sort=due").get_data(as_text=True)
    )
    printed = html.split('id="printed-filters">', 1)[1].split("</p>", 1)[0]
    assert "kārtots pēc Nākamais termiņš (augošā)" in printed
    assert "Mentors: janis" in printed
    assert "Cikls: NVO izaugsmes inkubators 2023 (pilots)" in printed  # its name, not its id
    assert 'id="list-export"' in html
    text = (Path(__file__).parents[2] / "web" / "static" / "css" / "app.css").read_text()
    assert "thead { display: table-header-group; }" in text


def test_reference_lists_in_latvian_order(client_as: Client) -> None:
    c = client_as("coordinator")
    html = c.get("/organisations/").get_data(as_text=True)
    table = html.split('<table id="organisations">', 1)[1]
    names = re.findall(r"<tr><td>([^<]+)</td>", table)
    assert names.index("kultūrBĀKA") == names.index("Keep The Change") + 1
    for path, table_id in (("/cycles/", "cycle-list"), ("/funding-sources/", "source-list")):
        resp = c.get(path)
        assert resp.status_code == 200
        assert f'id="{table_id}"' in resp.get_data(as_text=True)
    by_reg = c.get("/organisations/?sort=reg_no&dir=desc").get_data(as_text=True)
    regs = re.findall(r"<tr><td>[^<]+</td><td>(\d{11})</td>", by_reg)
    assert regs == sorted(regs, reverse=True)
    assert client_as("mentor").get("/organisations/").status_code == 403
    assert client_as("auditor").get("/funding-sources/").status_code == 200


def test_an_organisation_edited_through_its_form(client_as: Client, app_rt: Runtime) -> None:
    org = next(o for o in registry.list_organisations(app_rt) if o.name == "Fotast")
    c = client_as("coordinator")
    form = c.get(f"/organisations/{org.id}/edit").get_data(as_text=True)
    assert 'value="Fotast"' in form
    resp = c.post(
        f"/organisations/{org.id}/edit",
        data={
            "name": "Fotast biedrība",
            "reg_no": org.reg_no,
            "legal_form": org.legal_form,
            "fields": org.fields,
        },  # fmt: skip
    )
    assert resp.status_code == 302
    (event,) = accountlog.recent(app_rt, limit=1)
    assert event.action == "organisation_changed"
    assert event.actor == "ilze"
    assert event.details["changes"] == {"name": {"from": "Fotast", "to": "Fotast biedrība"}}
    assert accountlog.verify(app_rt).ok
    assert auditlog.verify(app_rt).ok
    log = client_as("auditor").get("/audit/accounts").get_data(as_text=True)
    assert "Organizācija labota: <code>name</code> Fotast → Fotast biedrība" in log


def test_a_call_with_dates_the_wrong_way_round_is_refused_on_the_form(
    client_as: Client, app_rt: Runtime
) -> None:
    source = registry.list_funding_sources(app_rt)[0]
    before = accountlog.recent(app_rt, limit=1)
    resp = client_as("coordinator").post(
        f"/funding-sources/{source.id}/edit",
        data={
            "funder": source.funder,
            "programme": source.programme,
            "call_opens": "2024-05-01",
            "call_closes": "2024-04-01",
            "max_grant_eur": "1000",
        },
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "call_closes must not be before call_opens" in html
    assert accountlog.recent(app_rt, limit=1) == before


def test_a_cycle_edit_changes_its_dates(client_as: Client, app_rt: Runtime) -> None:
    cycle = registry.get_cycle(app_rt, 2)
    resp = client_as("coordinator").post(
        "/cycles/2/edit",
        data={
            "name": cycle.name,
            "starts_on": cycle.starts_on.isoformat(),
            "ends_on": "2024-12-20",
            "budget_eur": "10 500,00",
            "capacity": str(cycle.capacity),
        },
    )
    assert resp.status_code == 302
    edited = registry.get_cycle(app_rt, 2)
    assert edited.ends_on.isoformat() == "2024-12-20"
    assert str(edited.budget_eur) == "10500.00"
    assert client_as("mentor").post("/cycles/2/edit", data={"name": "X"}).status_code == 403


def test_dates_have_four_digit_years_and_english_is_day_month_year(client_as: Client) -> None:
    c = client_as("coordinator")
    lv = c.get("/cycles/").get_data(as_text=True)
    assert re.search(r"\d{2}\.\d{2}\.\d{4}\.", lv)
    c.post("/language", data={"lang": "en"})
    en = c.get("/cycles/").get_data(as_text=True)
    assert re.search(r"<td>\d{1,2} [A-Z][a-z]{2} \d{4}</td>", en), en
    assert not re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", en)
    audit = c.get("/audit/").get_data(as_text=True)
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{2}\b", audit)  # no 2/20/24
