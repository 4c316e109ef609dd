"""A case page costs the same however long the case has lived: its history comes a page at
a time (newest first, "Older events" pages back by event number) and only the newest
consultations are listed, while the totals still count every one."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flask.testing import FlaskClient

from workflow import accounts, recording, tokens, views
from workflow.evidence.consultations import ConsultationIn
from workflow.runtime import Runtime

Client = Callable[[str | None], FlaskClient]


def _lengthen(rt: Runtime, case_id: int, n: int) -> None:
    """``n`` more consultations of one hour each, through the service."""
    ilze = accounts.acting_user(rt, "ilze")
    day = rt.now().date()
    for i in range(n):
        recording.record(
            rt,
            ilze,
            case_id,
            ConsultationIn(mentor="anna", held_on=day, hours=Decimal(1), topic=f"Tēma {i}"),
        )


def _history_seqs(page: str) -> list[int]:
    table = page.split('id="history"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody>", 1)[1].split("<tr>")[1:]
    return [int(r.split("<td>", 1)[1].split("</td>", 1)[0]) for r in rows]


def test_a_long_history_is_paged_and_the_pages_join_up(
    client_as: Client, app_rt: Runtime, ids: dict[str, int]
) -> None:
    case_id = ids["kc"]
    before = views.case_detail(app_rt, None, case_id)
    _lengthen(app_rt, case_id, views.HISTORY_PAGE + views.CONSULTATIONS_SHOWN)
    version = before.version + views.HISTORY_PAGE + views.CONSULTATIONS_SHOWN
    c = client_as("coordinator")
    page = c.get(f"/cases/{case_id}").get_data(as_text=True)
    newest = _history_seqs(page)
    assert newest == list(range(version - views.HISTORY_PAGE + 1, version + 1))
    # the consultations: the newest few listed, every one counted in the totals
    n = before.consultation_count + views.HISTORY_PAGE + views.CONSULTATIONS_SHOWN
    hours = before.consultation_hours + views.HISTORY_PAGE + views.CONSULTATIONS_SHOWN
    assert f"Jaunākās {views.CONSULTATIONS_SHOWN} no {n};" in page
    assert f"kopā {hours:g} stundas" in page.replace(",", ".")
    # "Older events" walks back to the enrolment, each page by event number
    seqs = newest
    while 'id="history-older"' in page:
        link = page.split('id="history-older" href="', 1)[1].split('"', 1)[0]
        page = c.get(link.replace("&amp;", "&")).get_data(as_text=True)
        assert 'id="history-newest"' in page
        older = _history_seqs(page)
        assert 0 < len(older) <= views.HISTORY_PAGE
        seqs = older + seqs
    assert seqs == list(range(1, version + 1))


def test_the_api_case_document_pages_its_history(
    client_as: Client, app_rt: Runtime, ids: dict[str, int]
) -> None:
    case_id = ids["kc"]
    _lengthen(app_rt, case_id, views.HISTORY_PAGE)
    token = tokens.create_token(app_rt, "ilze")
    c = client_as(None)
    auth = {"Authorization": f"Bearer {token}"}
    doc = c.get(f"/api/v1/cases/{case_id}", headers=auth).get_json()
    assert len(doc["history"]) == views.HISTORY_PAGE
    assert doc["history"][-1]["seq"] == doc["version"]
    older = c.get(
        f"/api/v1/cases/{case_id}?history_before={doc['history_before']}", headers=auth
    ).get_json()
    assert older["history"][-1]["seq"] == doc["history"][0]["seq"] - 1
    bad = c.get(f"/api/v1/cases/{case_id}?history_before=0", headers=auth)
    assert bad.status_code == 422
    assert "history_before" in bad.get_data(as_text=True)


def test_a_bad_page_number_is_refused_by_name(client_as: Client, ids: dict[str, int]) -> None:
    resp = client_as("coordinator").get(f"/cases/{ids['kc']}?before=abc")
    assert resp.status_code == 400
    assert "before" in resp.get_data(as_text=True)
