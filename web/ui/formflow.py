"""The flow every UI form shares: validate with the domain's schema, call one service
function, and put every error next to the field it names.

A form that fails its own checks (CSRF, a required field, a malformed number) answers
400; one the schema or the service refuses answers 422 with the reasons on the page;
nothing is written in either case, because the service call is the only write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from pydantic import BaseModel, ValidationError

from web.ui import forms as F
from web.ui.helpers import apply_errors
from web.ui.messages import conflict_message, eligibility_reasons
from web.ui.validation import invalid_errors, pydantic_errors
from workflow.errors import Conflict, Ineligible, InvalidInput, StaleCase


def submit(
    form: FlaskForm,
    schema: type[BaseModel],
    names: tuple[str, ...],
    call: Callable[[Any], Any],
    lists: tuple[str, ...] = (),
) -> tuple[bool, list[str]]:
    """Validate with the schema, call the service, map every error to its field."""
    try:
        data = schema.model_validate(F.values(form, names, lists))
    except ValidationError as exc:
        return False, apply_errors(form, pydantic_errors(exc))
    try:
        call(data)
    except InvalidInput as exc:
        return False, apply_errors(form, invalid_errors(exc))
    except StaleCase:
        return False, [
            _(
                "The case was changed by someone else since you opened this form. Reload it and check."
            )
        ]
    except Ineligible as exc:
        return False, [_("Not eligible:"), *eligibility_reasons(exc)]
    except Conflict as exc:
        return False, [conflict_message(exc)]
    return True, []


@dataclass(slots=True)
class Posted:
    """What a form came to: whether the service call was made (``done``), the problems to
    show and the status to answer with (200 and not done: a GET, the form is shown)."""

    done: bool = False
    problems: list[str] = field(default_factory=list)
    status: int = 200


def post(
    form: FlaskForm,
    schema: type[BaseModel],
    names: tuple[str, ...],
    call: Callable[[Any], Any],
    lists: tuple[str, ...] = (),
) -> Posted:
    """On a POST, validate ``form`` and call ``call(validated data)``; on a GET, nothing
    (the form is shown with 200)."""
    if request.method != "POST":
        return Posted()
    if not form.validate_on_submit():
        return Posted(status=400)
    ok, problems = submit(form, schema, names, call, lists)
    return Posted(True) if ok else Posted(False, problems, 422)


@dataclass(slots=True)
class Created:
    """What a form that creates one thing came to: the new id (None: not created), the
    problems to show and the status to answer with."""

    id: int | None = None
    problems: list[str] = field(default_factory=list)
    status: int = 200


def create(
    form: FlaskForm,
    schema: type[BaseModel],
    names: tuple[str, ...],
    make: Callable[[Any], int],
    lists: tuple[str, ...] = (),
) -> Created:
    """:func:`post` with ``make(validated data) -> id``: the new id when it was created."""
    made: list[int] = []
    result = post(form, schema, names, lambda data: made.append(make(data)), lists)
    return Created(made[0] if result.done else None, result.problems, result.status)
