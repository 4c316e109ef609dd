"""Hardened input through the API: every text field of every write takes its limit and
refuses one character more with a 422 naming the field, on PostgreSQL (whose VARCHARs
refused with a 500 before) and SQLite; bodies nested too deep are a 400; out-of-range
instants are a 422 naming the parameter; a role that may not write learns 403 before
anything about its input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import ROLES, SECRET, USER_OF, Api
from tests.api.test_roles import WRITES
from tests.conftest import Clock
from web import create_app
from workflow import limits
from workflow.accounts import add_user
from workflow.runtime import Runtime
from workflow.schemas import UserIn
from workflow.settings import Settings
from workflow.tokens import create_token

LONG_MENTOR = "m" * limits.USER_NAME_MAX  # a mentor account whose name is as long as may be


@pytest.fixture
def both_api(rt: Runtime, tmp_path: Any) -> Iterator[Api]:
    """The API on a fresh database, SQLite and PostgreSQL in turn, with a token per role."""
    url = rt.engine.url.render_as_string(hide_password=False)
    settings = Settings(mode="test", database_url=url, secret_key=SECRET, instance_dir=tmp_path)
    app = create_app(settings, runtime=rt)
    tokens = {}
    for role in ROLES:
        add_user(rt, UserIn(name=USER_OF[role], role=role))  # type: ignore[arg-type]
        tokens[role] = create_token(rt, USER_OF[role])
    add_user(rt, UserIn(name=LONG_MENTOR, role="mentor"))
    with app.test_client() as client:
        yield Api(client, tokens)


def _code(n: int) -> str:
    return "c" * n


def _fields(api: Api) -> list[tuple[str, str, dict[str, Any], str, int, Any]]:
    """(method, path, body, field, limit, value of a length) for every text field of
    every write, in an order that keeps each write possible (evidence before the
    transition that needs it)."""
    cycle = api.ok(
        "POST", "/cycles", {"name": "C", "starts_on": "2023-03-01", "ends_on": "2023-12-31"}, 201
    )
    org = api.ok(
        "POST",
        "/organisations",
        {"name": "O", "reg_no": "40008000000", "legal_form": "association"},
        201,
    )
    case = api.ok("POST", "/cases", {"organisation_id": org["id"], "cycle_id": cycle["id"]}, 201)
    source = api.ok("POST", "/funding-sources", _source(), 201)
    api.ok("POST", f"/cases/{case['id']}/sources", {"funding_source_id": source["id"]}, 201)
    c = case["id"]
    org_body = {"legal_form": "association"}
    application = {
        "funding_source_id": source["id"],
        "title": "T",
        "domain": "social",
        "total_budget_eur": "100",
        "requested_eur": "90",
    }
    return [
        ("POST", "/organisations", org_body, "name", limits.NAME_MAX, "N".__mul__),
        ("POST", "/organisations", {"name": "O"}, "legal_form", limits.CODE_MAX, _code),
        ("POST", "/organisations", {"name": "O", **org_body}, "fields.0", limits.CODE_MAX, _code),
        ("POST", "/organisations", {"name": "O", **org_body}, "reg_no", limits.REG_NO_DIGITS, None),
        ("POST", "/cycles", _cycle(), "name", limits.NAME_MAX, None),
        ("POST", "/funding-sources", _source(), "funder", limits.NAME_MAX, "F".__mul__),
        ("POST", "/funding-sources", _source(), "programme", limits.NAME_MAX, "P".__mul__),
        ("POST", "/funding-sources", _source(), "domains.0", limits.CODE_MAX, _code),
        ("POST", f"/cases/{c}/analysis", {"need_areas": ["x"]}, "findings", 5000, "F".__mul__),
        ("POST", f"/cases/{c}/analysis", {"findings": "F"}, "need_areas.0", 40, _code),
        ("POST", f"/cases/{c}/consultations", _consult(), "mentor", 120, "M".__mul__),
        ("POST", f"/cases/{c}/consultations", _consult(), "topic", 300, "T".__mul__),
        ("POST", f"/cases/{c}/applications", application, "title", 300, "T".__mul__),
        ("POST", f"/cases/{c}/applications", application, "domain", 40, _code),
        ("POST", f"/cases/{c}/mentor", {}, "mentor", 80, "m".__mul__),
        ("POST", f"/cases/{c}/transitions", {"trigger": "analyse"}, "comment", 2000, "C".__mul__),
    ]


def _cycle() -> dict[str, Any]:
    return {"starts_on": "2023-03-01", "ends_on": "2023-12-31"}


def _source() -> dict[str, Any]:
    return {
        "funder": "F",
        "programme": "P",
        "call_opens": "2023-03-01",
        "call_closes": "2023-12-31",
        "max_grant_eur": "40000",
    }


def _consult() -> dict[str, Any]:
    return {"mentor": "anna", "held_on": "2023-03-01", "hours": "2", "topic": "T"}


def _put(body: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """``body`` with ``field`` (``name`` or ``list.0``) set to ``value``."""
    out = dict(body)
    name, _, index = field.partition(".")
    out[name] = [value] if index else value
    return out


def test_every_text_field_takes_its_limit_and_refuses_one_more(both_api: Api) -> None:
    api = both_api
    fields = _fields(api)
    reg_nos = iter(range(40008000001, 40008099999))  # register numbers must be new
    cycles = iter(range(10**6))
    checked = []
    for method, path, body, field, limit, make in fields:
        for length in (limit, limit + 1):
            if field == "reg_no":
                value: Any = "4" * length if length > limit else str(next(reg_nos))
            elif path == "/cycles":
                value = f"{next(cycles):0{length}d}"  # cycle names are unique
            else:
                value = make(length)
            data = _put(body, field, value)
            if path == "/organisations" and field != "reg_no":
                data["reg_no"] = str(next(reg_nos))
            resp = api.call(method, path, json=data)
            text = resp.get_data(as_text=True)
            assert resp.status_code < 500, (field, length, text)
            if length == limit:
                assert resp.status_code in (200, 201), (path, field, text)
            else:
                assert resp.status_code == 422, (path, field, text)
                assert [e["field"] for e in resp.get_json()["errors"]] == [field], text
            checked.append((path, field, length))
    assert len(checked) == 2 * len(fields) == 32


def test_a_body_nested_too_deep_is_a_400_problem(api: Api, world: dict[str, Any]) -> None:
    for depth in (33, 1000, 100_000):
        raw = '{"name":' + "[" * depth + "]" * depth + "}"
        resp = api.call(
            "POST", "/cycles", data=raw.encode(), headers={"Content-Type": "application/json"}
        )
        assert resp.status_code == 400, (depth, resp.get_data(as_text=True))
        assert "nests deeper than 32 levels" in resp.get_json()["detail"]
    ok = api.post("/cycles", {"name": "Dziļš", "starts_on": "2024-01-01", "ends_on": "2024-06-30"})
    assert ok.status_code == 201


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("since=0001-01-01T00:00:00%2B14:00", "since"),
        ("until=9999-12-31T23:59:59-14:00", "until"),
        ("since=1999-12-31T23:00:00Z", "since"),
        ("until=2101-01-01", "until"),
    ],
)
@pytest.mark.parametrize("path", ["/audit", "/audit/export"])
def test_out_of_range_instants_are_422_naming_the_parameter(
    api: Api, path: str, query: str, parameter: str
) -> None:
    resp = api.get(f"{path}?{query}", role="auditor")
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert [e["field"] for e in resp.get_json()["errors"]] == [parameter]


@pytest.mark.parametrize("endpoint", sorted(WRITES))
def test_a_role_that_may_not_write_gets_403_whatever_its_body(
    api: Api, world: dict[str, Any], endpoint: str
) -> None:
    method, path, _body, _status = WRITES[endpoint]
    path = path.format(
        case=world["case"]["id"], application=1, spare_org=1, cycle=1, source=1, spare_source=1
    )
    for body in (b"{not json", b"[]", json.dumps({"no": "such field"}).encode(), b""):
        resp = api.call(
            method, path, "auditor", data=body, headers={"Content-Type": "application/json"}
        )
        assert resp.status_code == 403, (endpoint, body, resp.get_data(as_text=True))
        assert resp.get_json()["type"] == "urn:inkubators:problem:forbidden"


def test_a_role_allowed_to_write_still_learns_what_is_wrong_with_its_body(
    api: Api, world: dict[str, Any]
) -> None:
    case = world["case"]["id"]
    # a mentor may record consultations (on assigned cases) but fire no trigger
    fired = api.post(f"/cases/{case}/transitions", {"trigger": 5}, role="mentor")
    assert fired.status_code == 403
    consult = api.post(f"/cases/{case}/consultations", {"hours": "x"}, role="mentor")
    assert consult.status_code == 422
    assert "hours" in [e["field"] for e in consult.get_json()["errors"]]


def test_an_expired_token_is_a_401_saying_so(api: Api, clock: Clock) -> None:
    assert api.get("/cases").status_code == 200
    clock.set("2023-05-30", hour=9)  # 89 days 23 hours on: the policy's 90 days not over
    assert api.get("/cases").status_code == 200
    clock.set("2023-05-30", hour=10)
    resp = api.get("/cases")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert resp.get_json()["detail"].startswith("the token expired at 2023-05-30 10:00 UTC")
