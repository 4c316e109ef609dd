"""A page reads the rules once for its labels and permissions (``web.context.rules``), not
once per label: a watching rules source stats every file on each read, and a page read
half under old and half under new rules would contradict itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import current_user

from web.context import rules
from web.ui.helpers import may, may_record, state_label, trigger_label
from workflow.rules import Rules
from workflow.runtime import RulesSource, Runtime

Client = Callable[[str | None], FlaskClient]


@dataclass
class CountingRules:
    """A rules source that counts its reads."""

    inner: RulesSource
    reads: int = 0

    def current(self) -> Rules:
        self.reads += 1
        return self.inner.current()


@pytest.fixture
def counting(app_rt: Runtime) -> CountingRules:
    source = CountingRules(app_rt.rules_source)
    app_rt.rules_source = source
    return source


def test_the_helpers_read_the_rules_once_per_request(
    app: Flask, counting: CountingRules, client_as: Client
) -> None:
    cookie = client_as("coordinator").get_cookie("session")
    assert cookie is not None
    with app.test_request_context("/", headers={"Cookie": f"session={cookie.value}"}):
        assert current_user.is_authenticated  # so may() and may_record() ask the policy
        for _ in range(50):
            assert state_label("enrolled") == "Uzņemta"
            assert trigger_label("withdraw") != "withdraw"
            assert trigger_label("record_consultations") == "Reģistrēta konsultācija"
            assert may("enrol")
            assert may_record("consultations")
        assert rules() is rules()
    assert counting.reads == 1
    with app.test_request_context("/"):
        state_label("enrolled")
    assert counting.reads == 2  # the next request sees the rules in force then


def _reads(client: FlaskClient, counting: CountingRules, url: str) -> tuple[int, str]:
    counting.reads = 0
    r = client.get(url)
    assert r.status_code == 200, url
    return counting.reads, r.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "few", "many"),
    [
        ("auditor", "/audit/?case={kc}&trigger=enrol", "/audit/"),
        ("coordinator", "/cases/?q=Keep+The+Change", "/cases/"),
    ],
)
def test_a_longer_page_reads_the_rules_no_more_often(
    client_as: Client,
    counting: CountingRules,
    ids: dict[str, int],
    role: str,
    few: str,
    many: str,
) -> None:
    client = client_as(role)
    client.get("/")  # log in and warm up outside the count
    short_reads, short = _reads(client, counting, few.format(**ids))
    long_reads, long = _reads(client, counting, many.format(**ids))
    assert long.count("<tr") > short.count("<tr") + 8  # many more labels to write
    assert long_reads == short_reads
