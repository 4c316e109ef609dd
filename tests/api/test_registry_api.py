"""``POST /api/v1/registry/imports`` (multipart ``file``), ``GET /api/v1/registry/stats`` and
``GET /api/v1/registry/imports``: the same services as the command line, problems named
by row and column, roles from the policy."""

from __future__ import annotations

import io

from inkubators.demo.register import sample_extract
from tests.api.conftest import Api

HEADER = "regcode;name;type;type_text;registered;terminated;closed;address"
GOOD = (
    HEADER
    + "\r\n40008000001;Biedrība Jūra;BDR;Biedrība;2010-05-04;;;Liepāja, Graudu iela 12\r\n"
    + '40008000002;"DzĪB ""Graudu; 12""";BDR;Biedrība;2001-01-15;;;Liepāja, Graudu iela 12\r\n'
).encode()


def _upload(api: Api, data: bytes, role: str = "coordinator", name: str = "register.csv") -> object:
    return api.call(
        "POST",
        "/registry/imports",
        role,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_upload_imports_and_a_second_upload_changes_nothing(api: Api) -> None:
    first = _upload(api, b"\xef\xbb\xbf" + GOOD)
    assert first.status_code == 201, first.get_data(as_text=True)  # type: ignore[attr-defined]
    body = first.get_json()  # type: ignore[attr-defined]
    assert (body["rows"], body["new"], body["changed"], body["unchanged"]) == (2, 2, 0, 0)
    assert (body["actor"], body["file_name"]) == ("ilze", "register.csv")
    again = _upload(api, GOOD).get_json()  # type: ignore[attr-defined]
    assert (again["new"], again["changed"], again["unchanged"]) == (0, 0, 2)
    listed = api.ok("GET", "/registry/imports", role="auditor")["items"]
    assert [i["id"] for i in listed] == [again["id"], body["id"]]
    stats = api.ok("GET", "/registry/stats?city=Liepāja&year=2022")
    assert (stats["associations"], stats["real_estate_management"], stats["other"]) == (2, 1, 1)


def test_a_broken_file_is_a_422_listing_rows_and_columns_and_writes_nothing(api: Api) -> None:
    broken = (
        HEADER
        + "\n4000800000;Biedrība;BDR;Biedrība;2010-05-04;;;Liepāja"
        + "\n40008000002;Biedrība;BDR;Biedrība;2010-13-04;;;Liepāja"
        + "\n40008000002;Biedrība;BDR;Biedrība;2010-12-04;;;Liepāja\n"
    ).encode()
    resp = _upload(api, broken)
    assert resp.status_code == 422  # type: ignore[attr-defined]
    problem = resp.get_json()  # type: ignore[attr-defined]
    assert problem["type"] == "urn:inkubators:problem:invalid-file"
    assert [(e["row"], e["column"]) for e in problem["errors"]] == [
        (2, "regcode"),
        (3, "registered"),
        (4, "regcode"),
    ]
    assert problem["errors"][2]["message"].startswith("duplicate")
    assert problem["errors"][0]["message_lv"].startswith("jābūt 11 cipariem")
    assert api.ok("GET", "/registry/imports")["items"] == []
    assert api.ok("GET", "/registry/stats?city=Liepāja&year=2022")["associations"] == 0


def test_an_upload_without_the_file_field_names_it(api: Api) -> None:
    resp = api.call(
        "POST", "/registry/imports", data={"other": "x"}, content_type="multipart/form-data"
    )
    assert resp.status_code == 422
    assert resp.get_json()["errors"][0]["field"] == "file"


def test_roles_come_from_the_policy(api: Api) -> None:
    assert _upload(api, GOOD, role="mentor").status_code == 403  # type: ignore[attr-defined]
    assert _upload(api, GOOD, role="auditor").status_code == 403  # type: ignore[attr-defined]
    assert api.get("/registry/stats", role="mentor").status_code == 403
    assert api.get("/registry/stats", role="auditor").status_code == 200
    assert _upload(api, GOOD, role="admin").status_code == 201  # type: ignore[attr-defined]


def test_the_sample_gives_the_articles_figures_as_json(api: Api) -> None:
    assert _upload(api, sample_extract()).status_code == 201  # type: ignore[attr-defined]
    stats = api.ok("GET", "/registry/stats?city=Liepāja&year=2022")
    assert stats == {
        "city": "Liepāja",
        "year": 2022,
        "associations": 1174,
        "real_estate_management": 478,
        "other": 696,
        "real_estate_share": 0.4072,
        "foundations": 85,
        "eligible": 781,
    }
    assert api.get("/registry/stats?year=1800").status_code == 422
    assert api.get("/registry/stats?town=Liepāja").status_code == 422


def test_a_retried_upload_with_the_same_key_is_answered_once(api: Api) -> None:
    def send(data: bytes) -> object:
        return api.call(
            "POST",
            "/registry/imports",
            data={"file": (io.BytesIO(data), "register.csv")},
            content_type="multipart/form-data",
            headers={"Idempotency-Key": "upload-1"},
        )

    first = send(GOOD)
    retry = send(GOOD)  # a new multipart boundary, the same file
    assert retry.status_code == 201  # type: ignore[attr-defined]
    assert retry.headers["Idempotent-Replayed"] == "true"  # type: ignore[attr-defined]
    assert retry.get_json() == first.get_json()  # type: ignore[attr-defined]
    assert len(api.ok("GET", "/registry/imports")["items"]) == 1
    assert send(GOOD + b"40008000003;B;BDR;;2010-01-01;;;Liepaja\n").status_code == 422  # type: ignore[attr-defined]


def test_an_uploaded_file_name_is_kept_printable(api: Api) -> None:
    resp = _upload(api, GOOD, name="reg\x00ister\u202e.csv")
    assert resp.status_code == 201  # type: ignore[attr-defined]
    assert resp.get_json()["file_name"] == "register.csv"  # type: ignore[attr-defined]
