"""Property-based contract: schemathesis generates requests from ``/api/v1/openapi.json``
(valid and invalid ones) and sends them through the WSGI app as an admin, who may do
everything, against a small programme (ids 1 exist); no response may be a 5xx, and every
response must match the document (status, media type, schema), and invalid requests must
be refused. Bounded: a few derandomised examples per operation and mode, no deadline.

(schemathesis' own ``from_fixture`` pytest loader does not run under this pytest, so each
operation is a parametrised test that draws from the operation's own strategy.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from web.api.routing import route_table

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Negative data needs something to break: operations without parameters or body have none
# (the token is fixed, so the security requirement is not mutated either).
OPERATIONS = [
    pytest.param(r.method, r.openapi_path, mode, id=f"{r.method} {r.openapi_path} {mode}")
    for r in route_table()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or r.query or r.body or r.path_params
]


@pytest.mark.parametrize(("method", "path", "mode"), OPERATIONS)
def test_operation_conforms_to_the_document(
    app: Flask,
    tokens: dict[str, str],
    world: dict[str, Any],
    method: str,
    path: str,
    mode: GenerationMode,
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {tokens['admin']}"}

    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    @settings(
        max_examples=10,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(checks=CHECKS)

    check()
