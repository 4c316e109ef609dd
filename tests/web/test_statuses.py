"""One table decides the HTTP status of every engine error, for the API and the UI alike."""

from __future__ import annotations

import pytest
from flask import Flask

from web.statuses import status_for
from workflow.errors import (
    Conflict,
    DefinitionError,
    FailedGuard,
    Forbidden,
    GuardRejected,
    Ineligible,
    InvalidInput,
    NotFound,
    PolicyError,
    StaleCase,
    TransitionNotAllowed,
    WorkflowError,
)


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (NotFound("case", 1), 404),
        (Forbidden("auditor", "submit"), 403),
        (TransitionNotAllowed("submit", "enrolled"), 409),
        (StaleCase(1, 2, 3), 409),
        (Conflict("full", "cycle_full"), 409),
        (Ineligible(["no"]), 422),
        (GuardRejected("analyse", [FailedGuard("g", "no", "nē")]), 422),
        (InvalidInput({"x": "bad"}), 422),
        (PolicyError(["policies/p.yaml: roles: bad"]), 500),
        (DefinitionError(["states/s.yaml: bad"]), 500),
        (WorkflowError("something new"), 500),
    ],
)
def test_each_engine_error_has_one_status(exc: WorkflowError, status: int) -> None:
    assert status_for(exc) == status


def test_the_api_and_the_ui_answer_an_engine_error_with_the_same_status(app: Flask) -> None:
    from web.api.problems import from_workflow
    from web.ui.errors import workflow_error

    with app.test_request_context("/"):
        for exc in (StaleCase(1, 2, 3), Conflict("full", "cycle_full"), InvalidInput({"x": "y"})):
            answer = app.make_response(workflow_error(exc))
            assert from_workflow(exc).status == answer.status_code == status_for(exc)
