"""What a coordinator, mentor, auditor and admin see and do on the pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from flask.testing import FlaskClient

from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def test_coordinator_sees_why_submit_is_blocked_records_the_date_and_submits(
    client_as: Client, ids: dict[str, int]
) -> None:
    c = client_as("coordinator")
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    blocked = page.split('id="trigger-submit"', 1)[1].split("</li>\n</ul>", 1)[0]
    assert "nav iespējams" in blocked
    assert "vēl nav iesniegts" in blocked  # on 2024-02-20 both calls are open, nothing submitted
    r = c.post(
        f"/applications/{ids['erasmus_app']}",
        data={"submitted_on": "2024-02-01", "expected_version": ids["kc_version"]},
    )
    assert r.status_code == 302
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    version = ids["kc_version"] + 1
    r = c.post(
        f"/cases/{ids['kc']}/advance",
        data={"trigger": "submit", "expected_version": version, "comment": "Iesniegts e-pastā"},
    )
    assert r.status_code == 302
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert 'id="case-state">Pieteikums iesniegts<' in page
    assert "Iesniegts e-pastā" in page  # the history shows the comment
    log = client_as("auditor").get("/audit/?trigger=submit&actor=ilze").get_data(as_text=True)
    assert "Iesniegts e-pastā" in log


def test_stale_version_is_a_clear_message_not_an_error_page(
    client_as: Client, ids: dict[str, int]
) -> None:
    c = client_as("coordinator")
    r = c.post(
        f"/cases/{ids['kc']}/advance",
        data={"trigger": "withdraw", "expected_version": ids["kc_version"] - 1, "comment": "x"},
    )
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "to mainīja kāds cits" in page
    assert 'id="case-state">Pieteikums sagatavots<' in page


def test_blocked_trigger_reasons_are_shown_on_the_form(
    client_as: Client, ids: dict[str, int]
) -> None:
    r = client_as("coordinator").post(
        f"/cases/{ids['kc']}/advance",
        data={"trigger": "submit", "expected_version": ids["kc_version"]},
    )
    assert r.status_code == 422
    assert "nav iespējams" in r.get_data(as_text=True)


def test_field_errors_are_shown_next_to_their_fields(
    client_as: Client, ids: dict[str, int]
) -> None:
    c = client_as("coordinator")
    r = c.post(
        f"/cases/{ids['kc']}/consultation",
        data={"mentor": "janis", "held_on": "2024-02-01", "hours": "many", "topic": ""},
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="hours-errors"' in page
    assert 'id="topic-errors"' in page
    assert 'id="held_on-errors"' not in page
    # A domain rule (the call has not opened yet) lands on its field too.
    r = c.post(f"/applications/{ids['esf_app']}", data={"submitted_on": "2024-01-10"})
    assert r.status_code == 422
    errors = r.get_data(as_text=True).split('id="submitted_on-errors"', 1)[1].split("</ul>")[0]
    assert "konkurss atveras 01.02.2024." in errors  # the engine's rule, in Latvian


def test_mentor_records_a_consultation_on_an_assigned_case(
    client_as: Client, ids: dict[str, int]
) -> None:
    c = client_as("mentor")
    form = c.get(f"/cases/{ids['kc']}/consultation").get_data(as_text=True)
    assert 'value="janis"' in form
    r = c.post(
        f"/cases/{ids['kc']}/consultation",
        data={"mentor": "janis", "held_on": "2024-02-19", "hours": "1,5", "topic": "Budžets"},
    )
    assert r.status_code == 302
    page = c.get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert "Budžets" in page
    assert "/advance" not in page  # a mentor fires no triggers


def test_auditor_sees_no_controls(client_as: Client, ids: dict[str, int]) -> None:
    page = client_as("auditor").get(f"/cases/{ids['kc']}").get_data(as_text=True)
    assert "/advance" not in page
    assert "/applications/" not in page
    assert "/consultation" not in page
    assert "nav iespējams" in page  # the reasons are still visible


def test_dashboard_figures_diagram_and_counts(client_as: Client) -> None:
    page = client_as("coordinator").get("/?as_of=2023-10-19").get_data(as_text=True)
    assert "11 / 11" in page  # the pilot's organisations and capacity
    assert "EUR" in page
    assert "stateDiagram-v2" in page
    assert "Pieteikums sagatavots (5)" in page  # the diagram counts cases per state
    table = page.split('id="state-counts"', 1)[1].split("</table>", 1)[0]
    assert "Pieteikums sagatavots" in table
    # the vendored script under its content-hashed name (web.assets)
    assert re.search(r'src="/static/vendor/mermaid-11\.17\.2\.min\.[0-9a-f]{12}\.js"', page)


def test_amounts_follow_the_locale(client_as: Client) -> None:
    c = client_as("coordinator")
    lv = c.get("/?as_of=2023-10-19").get_data(as_text=True)
    c.post("/language", data={"lang": "en"})
    en = c.get("/?as_of=2023-10-19").get_data(as_text=True)
    lv_awarded = lv.split('id="fig-awarded">', 1)[1].split(" EUR", 1)[0]
    en_awarded = en.split('id="fig-awarded">', 1)[1].split(" EUR", 1)[0]
    assert "," in lv_awarded  # 100 500,00 in Latvian
    assert en_awarded.endswith(".00")  # 100,500.00 in English
    assert lv_awarded.replace("\xa0", "").replace(" ", "").replace(",", ".") == en_awarded.replace(
        ",", ""
    )


def test_case_list_filters(client_as: Client) -> None:
    c = client_as("coordinator")
    page = c.get("/cases/?q=40008789017").get_data(as_text=True)
    assert "Keep The Change" in page
    assert "Fotast" not in page
    page = c.get("/cases/?state=outcome").get_data(as_text=True)
    assert "Keep The Change" not in page
    assert c.get("/cases/?state=nonsense").status_code == 200
    mentor = client_as("other_mentor").get("/cases/").get_data(as_text=True)
    assert "Fotast" in mentor  # anna's case
    assert "Keep The Change" not in mentor  # janis's case


def test_audit_log_filters_pages_and_exports(client_as: Client, ids: dict[str, int]) -> None:
    c = client_as("auditor")
    page = c.get(f"/audit/?case={ids['kc']}").get_data(as_text=True)
    rows = page.split('id="events"', 1)[1].count("<tr>") - 1
    assert rows == ids["kc_version"]
    assert 'rel="next"' not in page
    csv_r = c.get(f"/audit/export.csv?case={ids['kc']}")
    assert csv_r.headers["Content-Disposition"].startswith("attachment")
    lines = csv_r.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("id,")
    assert len(lines) == ids["kc_version"] + 1
    jsonl = c.get(f"/audit/export.jsonl?case={ids['kc']}&trigger=draft_application")
    events = [json.loads(line) for line in jsonl.get_data(as_text=True).splitlines()]
    assert [e["trigger"] for e in events] == ["draft_application"]
    assert events[0]["actor"] == "ilze"
    assert c.get("/audit/?since=yesterday").status_code == 422


def test_enrol_an_organisation(client_as: Client) -> None:
    c = client_as("coordinator")
    r = c.post(
        "/organisations/new",
        data={
            "name": "Jauna biedrība",
            "reg_no": "40001234567",
            "legal_form": "association",
            "fields": "social, culture",
        },
    )
    assert r.status_code == 302
    enrol_page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "Jauna biedrība" in enrol_page
    org_id = r.headers["Location"].split("organisation=")[1]
    cycles = [
        o.split('"')[0]
        for o in enrol_page.split('id="cycle_id"', 1)[1].split("</select>")[0].split('value="')[1:]
    ]
    r = c.post("/enrol", data={"organisation_id": org_id, "cycle_id": cycles[0], "comment": ""})
    assert r.status_code == 302
    assert "Uzņemta" in c.get(r.headers["Location"]).get_data(as_text=True)
    bad = c.post(
        "/organisations/new", data={"name": "X", "reg_no": "123", "legal_form": "association"}
    )
    assert bad.status_code == 422
    assert 'id="reg_no-errors"' in bad.get_data(as_text=True)


def test_admin_pages(client_as: Client) -> None:
    c = client_as("admin")
    users = c.get("/admin/users").get_data(as_text=True)
    assert "revidents" in users
    r = c.post(
        "/admin/users", data={"name": "x", "role": "auditor", "locale": "lv", "password": "short"}
    )
    assert r.status_code == 422
    rules = c.get("/admin/rules").get_data(as_text=True)
    assert 'id="states-hash"' in rules
    assert 'id="policy-hash"' in rules


def test_admin_sees_rule_versions_and_their_text(client_as: Client, app_rt: Runtime) -> None:
    from workflow import ruleversions

    with app_rt.engine.begin() as conn:
        ruleversions.record(conn, app_rt.rules, "admins", app_rt.now())
    c = client_as("admin")
    page = c.get("/admin/rules").get_data(as_text=True)
    assert app_rt.rules.states_hash in page
    assert 'id="rules-history"' in page
    assert "Nav: diskā esošie faili ir spēkā esošie noteikumi." in page
    shown = c.get(f"/admin/rules/{app_rt.rules.policy_hash}").get_data(as_text=True)
    assert "cycle_defaults" in shown  # the policy file's own text
    same = c.get(f"/admin/rules/diff?a={app_rt.rules.policy_hash}&b={app_rt.rules.policy_hash}")
    assert same.status_code == 200
    bad = c.get("/admin/rules/diff?a=zz&b=zz")
    assert bad.status_code == 422
