"""Every UI route for every role: who gets the page (200), who is sent to log in (302)
and who is refused (403). Roles are enforced by the server, not by hidden links."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

ALL = ("coordinator", "mentor", "other_mentor", "auditor", "admin")

# route template -> roles that may open it (everyone else gets 403)
GET_ROUTES: dict[str, tuple[str, ...]] = {
    "/": ALL,
    "/cases/": ALL,
    "/cases/{kc}": ("coordinator", "mentor", "auditor", "admin"),
    "/cases/{kc}/analysis": ("coordinator", "admin"),
    "/cases/{kc}/consultations": ("coordinator", "mentor", "admin"),
    "/cases/{kc}/sources": ("coordinator", "admin"),
    "/cases/{kc}/applications": ("coordinator", "admin"),
    "/cases/{kc}/notes": ("coordinator", "mentor", "admin"),
    "/applications/{erasmus_app}": ("coordinator", "admin"),
    "/enrol": ("coordinator", "admin"),
    "/organisations/new": ("coordinator", "admin"),
    "/cycles/new": ("coordinator", "admin"),
    "/funding-sources/new": ("coordinator", "admin"),
    "/funding-sources/new?case={kc}": ("coordinator", "admin"),
    "/audit/": ("coordinator", "auditor", "admin"),
    "/audit/verify": ("coordinator", "auditor", "admin"),
    "/audit/export.csv": ("coordinator", "auditor", "admin"),
    "/audit/export.jsonl": ("coordinator", "auditor", "admin"),
    "/audit/accounts": ("coordinator", "auditor", "admin"),
    "/admin/users": ("admin",),
    "/admin/rules": ("admin",),
    "/me": ALL,
    "/registry": ("coordinator", "auditor", "admin"),
    "/cases/export.csv": ALL,
    "/cases/export.xlsx": ALL,
    "/organisations/": ("coordinator", "auditor", "admin"),
    "/cycles/": ("coordinator", "auditor", "admin"),
    "/funding-sources/": ("coordinator", "auditor", "admin"),
    "/organisations/1/edit": ("coordinator", "admin"),
    "/cycles/1/edit": ("coordinator", "admin"),
    "/funding-sources/1/edit": ("coordinator", "admin"),
}

CASES = [
    pytest.param(route, role, 200 if role in allowed else 403, id=f"{route}-{role}")
    for route, allowed in GET_ROUTES.items()
    for role in ALL
]


@pytest.mark.parametrize(("route", "role", "status"), CASES)
def test_get_route_by_role(
    client_as: Callable[[str | None], FlaskClient],
    ids: dict[str, int],
    route: str,
    role: str,
    status: int,
) -> None:
    response = client_as(role).get(route.format(**ids))
    assert response.status_code == status
    if status == 403:
        assert "403" in response.get_data(as_text=True)


@pytest.mark.parametrize("route", list(GET_ROUTES))
def test_anonymous_is_sent_to_login(
    client_as: Callable[[str | None], FlaskClient], ids: dict[str, int], route: str
) -> None:
    response = client_as(None).get(route.format(**ids))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


POSTS = {
    "/cases/{kc}/advance": ("coordinator", "admin"),
    "/cases/{kc}/analysis": ("coordinator", "admin"),
    "/cases/{kc}/consultations": ("coordinator", "mentor", "admin"),
    "/cases/{kc}/notes": ("coordinator", "mentor", "admin"),
    "/me/calendar/revoke": ALL,
    "/me/email": ALL,
    "/enrol": ("coordinator", "admin"),
    "/cycles/new": ("coordinator", "admin"),
    "/funding-sources/new": ("coordinator", "admin"),
    "/organisations/1/edit": ("coordinator", "admin"),
    "/cycles/1/edit": ("coordinator", "admin"),
    "/funding-sources/1/edit": ("coordinator", "admin"),
    "/admin/users": ("admin",),
    "/admin/users/anna": ("admin",),
    "/admin/users/anna/password": ("admin",),
    "/registry/import": ("coordinator", "admin"),
}


@pytest.mark.parametrize(
    ("route", "role"),
    [
        pytest.param(route, role, id=f"{route}-{role}")
        for route, allowed in POSTS.items()
        for role in ("mentor", "other_mentor", "auditor")
        if role not in allowed
    ],
)
def test_post_refused_for_roles_without_the_right(
    client_as: Callable[[str | None], FlaskClient],
    ids: dict[str, int],
    route: str,
    role: str,
) -> None:
    data = {"trigger": "withdraw", "expected_version": str(ids["kc_version"]), "comment": "x"}
    response = client_as(role).post(route.format(**ids), data=data)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("route", "role"),
    [
        pytest.param(route, role, id=f"{route}-{role}")
        for route, allowed in POSTS.items()
        for role in allowed
    ],
)
def test_post_reaches_the_form_for_roles_with_the_right(
    client_as: Callable[[str | None], FlaskClient],
    ids: dict[str, int],
    route: str,
    role: str,
) -> None:
    """The same request as above: the role passes, the form is then judged on its own."""
    data = {"trigger": "withdraw", "expected_version": str(ids["kc_version"]), "comment": "x"}
    response = client_as(role).post(route.format(**ids), data=data)
    assert response.status_code in (200, 302, 400, 409, 422)
    assert not response.headers.get("Location", "").startswith("/login")


@pytest.mark.parametrize("route", list(POSTS))
def test_anonymous_post_is_sent_to_login(
    client_as: Callable[[str | None], FlaskClient], ids: dict[str, int], route: str
) -> None:
    response = client_as(None).post(route.format(**ids), data={"comment": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_unknown_case_is_404_page(client_as: Callable[[str | None], FlaskClient]) -> None:
    response = client_as("coordinator").get("/cases/99999")
    assert response.status_code == 404
    assert "99999" in response.get_data(as_text=True)


def test_unknown_url_is_404_page(client_as: Callable[[str | None], FlaskClient]) -> None:
    response = client_as("coordinator").get("/no-such-page")
    assert response.status_code == 404
    assert "<main" in response.get_data(as_text=True)


def test_api_paths_are_left_to_the_api(client_as: Callable[[str | None], FlaskClient]) -> None:
    response = client_as("coordinator").get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert "NVO izaugsmes inkubators" not in response.get_data(as_text=True)
