"""The API's route table: each view registers itself here with its input and output models.

The table is the single source for three things: the Flask URL rule, the parsing of the
request (path, query and body through pydantic) and the OpenAPI document, so the document
cannot drift from what the views accept and return.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from flask import Response, g, request
from flask_login import current_user
from pydantic import BaseModel
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, Unauthorized

from web.api import bp, replay
from web.context import actor, rules
from web.security import load_user_from_request
from workflow.errors import Forbidden, InvalidInput, NotFound
from workflow.permissions import roles_allowed
from workflow.schemas import MAX_ID

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

MAX_BODY = 1024 * 1024
#: No input of this API nests deeper than a few levels; a body nested deeper is refused
#: before anything walks it (Python's own limit would end in a RecursionError, a 500).
MAX_DEPTH = 32
#: The methods that change something: each takes an ``Idempotency-Key`` header.
WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class Route:
    """One API operation: what it accepts, what it answers and which errors it documents."""

    rule: str
    method: str
    endpoint: str
    summary: str
    description: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    public: bool = False
    stream: dict[str, str] = field(default_factory=dict)
    #: the policy permission that decides who may call it: ``("actions", "enrol")``,
    #: ``("evidence", "consultations")`` or ``("triggers", "")`` (each trigger its own)
    permission: tuple[str, str] | None = None
    #: a ``multipart/form-data`` body (an upload) the view reads itself, documented by
    #: this model; such a write streams its file and takes no ``Idempotency-Key``
    form: type[BaseModel] | None = None

    @property
    def replayable(self) -> bool:
        """Whether it takes an ``Idempotency-Key`` (a write with a JSON or no body)."""
        return self.is_write and not self.public and self.form is None

    #: the multipart/form-data file field the view reads itself (instead of a JSON body)
    upload: str | None = None

    @property
    def is_write(self) -> bool:
        """Whether it changes something (and so takes an ``Idempotency-Key``)."""
        return self.method in WRITES

    @property
    def path_params(self) -> list[str]:
        """Names of the (integer id) path parameters, in order."""
        return [name for _conv, name in _PARAM.findall(self.rule)]

    @property
    def openapi_path(self) -> str:
        """``/cases/<int:case_id>`` as ``/api/v1/cases/{case_id}``."""
        return (bp.url_prefix or "") + _PARAM.sub(lambda m: "{" + m.group(2) + "}", self.rule)


ROUTES: list[Route] = []
#: Functions listing routes that one generic view serves (one per evidence kind, see
#: :mod:`web.api.evidence`): asked whenever the table is read, so a kind registered after
#: import is documented too.
ROUTE_SOURCES: list[Callable[[], list[Route]]] = []


def route_table() -> list[Route]:
    """Every documented operation: the views' own and the generic views' per-kind ones."""
    return [*ROUTES, *(r for source in ROUTE_SOURCES for r in source())]


class Unauthenticated(Unauthorized):
    """401 with the challenge RFC 6750 asks for."""

    description = "send 'Authorization: Bearer TOKEN' (tokens: inkubators token create NAME)"

    def __init__(self, problem: str | None = None) -> None:
        super().__init__(
            f"{problem}; ask for a new one (inkubators token create NAME)" if problem else None
        )

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        """Tell the client which scheme to use."""
        return [("WWW-Authenticate", 'Bearer realm="inkubators"')]


def api_route(
    rule: str,
    method: str = "GET",
    *,
    tag: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    public: bool = False,
    stream: dict[str, str] | None = None,
    permission: tuple[str, str] | None = None,
    form: type[BaseModel] | None = None,
    upload: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view in the route table and on the blueprint.

    The view receives its path ids as keyword arguments, plus ``query`` and ``body`` as
    validated models when declared; it returns a model (or dict) for ``response``, or a
    ready :class:`flask.Response` for streams. It is called through :func:`serve`.
    """

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        route = make_route(
            rule,
            method,
            fn.__name__,
            fn.__doc__ or fn.__name__,
            tag=tag,
            body=body,
            query=query,
            response=response,
            status=status,
            errors=errors,
            public=public,
            stream=stream,
            permission=permission,
            form=form,
            upload=upload,
        )
        ROUTES.append(route)

        @functools.wraps(fn)
        def view(**path: Any) -> Response:
            return serve(route, fn, path)

        bp.add_url_rule(rule, fn.__name__, view, methods=[method])
        return fn

    return decorate


def serve(route: Route, fn: Callable[..., Any], path: dict[str, Any]) -> Response:
    """Answer one call of ``route`` with ``fn``, for every view, generic or not.

    The order of the checks is the order of what a caller may learn: who you are (401),
    whether your role may call this at all (403, before anything about the input), then
    the ids, the ``Idempotency-Key``, the query and the body (404, 422, 400). A write with
    an ``Idempotency-Key`` runs once per key (:mod:`web.api.replay`).
    """
    if not route.public:
        token_user()
        if route.permission is not None:
            _authorise(route)
    kwargs: dict[str, Any] = {n: check_id(n.removesuffix("_id"), v) for n, v in path.items()}
    key = replay.key() if route.replayable else None
    if route.query is not None:
        kwargs["query"] = parse_query(route.query)
    if route.body is not None:
        kwargs["body"] = parse_body(route.body)

    def answer() -> Response:
        result = fn(**kwargs)
        if isinstance(result, Response):
            return result
        return json_response(result, route.status, route.response)

    return answer() if key is None else replay.once(key, answer)


def make_route(
    rule: str,
    method: str,
    endpoint: str,
    doc: str,
    *,
    tag: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    public: bool = False,
    stream: dict[str, str] | None = None,
    permission: tuple[str, str] | None = None,
    form: type[BaseModel] | None = None,
    upload: str | None = None,
) -> Route:
    """A route table entry: ``doc``'s first line is the summary, the rest the description;
    every operation documents 400 and 422, and 401 unless public."""
    summary, _, description = doc.strip().partition("\n")
    return Route(
        rule=rule,
        method=method,
        endpoint=endpoint,
        summary=summary.strip(),
        description=description.strip(),
        tag=tag,
        body=body,
        query=query,
        response=response,
        status=status,
        errors=tuple(sorted({400, 422, *errors} | (set() if public else {401}))),
        public=public,
        stream=stream or {},
        permission=permission,
        form=form,
        upload=upload,
    )


def check_id(record: str, value: int) -> int:
    """A path id within 1..MAX_ID; beyond it no ``record`` can exist (404, no query)."""
    if not 1 <= value <= MAX_ID:
        raise NotFound(record, value)
    return value


def token_user() -> Any:
    """The API's caller, by bearer token only.

    The API is exempt from CSRF, so a browser's session cookie must not count as a
    credential here; when a cookie loaded a session user first, the token decides.
    """
    if current_user.is_authenticated and getattr(current_user, "via_token", False):
        return current_user
    user = load_user_from_request(request)
    if user is None or not user.is_active:
        raise Unauthenticated(g.pop("token_problem", None))
    g._login_user = user  # where flask-login keeps the request's user
    return user


def _authorise(route: Route) -> None:
    """Refuse a role the policy does not let call the operation at all, before reading the
    input: whoever may not write learns 403, never what is wrong with the body. Triggers
    are checked one by one when fired; here a role that may fire none is refused. Evidence
    is refused as ``record <kind>``, or ``update <kind>`` for a change to a stored record
    (a PATCH), as the engine itself refuses it."""
    assert route.permission is not None
    section, name = route.permission
    who = actor()
    if section == "triggers":
        triggers = rules().states.triggers
        if not any(who.role in roles_allowed(rules(), section, t) for t in triggers):
            raise Forbidden(who.role, "fire triggers")
    elif who.role not in roles_allowed(rules(), section, name):
        if section == "actions":
            raise Forbidden(who.role, name)
        raise Forbidden(who.role, f"{'update' if route.method == 'PATCH' else 'record'} {name}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_body(model: type[M]) -> M:
    """The request's JSON object validated by ``model``; 400 for anything not a JSON object.

    Validation is pydantic's strict JSON mode: an id or count must be a JSON integer and a
    flag a JSON boolean (``"1"`` and ``true`` are not ids), while money still comes as a
    decimal string or a number and dates as ISO 8601 strings. The same schemas stay lax for
    the web forms and the CLI, whose input is text by nature.
    """
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise RequestEntityTooLarge()
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        raise RequestEntityTooLarge()
    try:
        text = raw.decode("utf-8-sig")  # RFC 8259: UTF-8 (a BOM may be ignored)
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the request body is not valid JSON: {exc}") from exc
    except RecursionError:  # deeper than Python's own limit (about a thousand levels)
        raise BadRequest(f"the request body nests deeper than {MAX_DEPTH} levels") from None
    if json_depth(data) > MAX_DEPTH:
        raise BadRequest(f"the request body nests deeper than {MAX_DEPTH} levels")
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object")
    _refuse_nul(data, "")
    return model.model_validate_json(text, strict=True)


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (a scalar: 0), counted
    without recursion, so no depth can exhaust the stack."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            todo.extend((child, depth + 1) for child in item)
    return deepest


def parse_query(model: type[M]) -> M:
    """The query string validated by ``model``; an empty value counts as not given."""
    args = {k: v for k, v in request.args.items() if v != ""}
    _refuse_nul(args, "")
    return model.model_validate(args)


def _refuse_nul(value: Any, where: str) -> None:
    """NUL characters are refused up front: no database stores them in text."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput({where or "(body)": "must not contain NUL characters"})
    elif isinstance(value, dict):
        for k, v in value.items():
            _refuse_nul(k, where or "(body)")
            _refuse_nul(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _refuse_nul(v, f"{where}.{i}")


def json_response(result: Any, status: int, model: type[BaseModel] | None) -> Response:
    """Serialise through the declared model, so the body is exactly what the document says."""
    if model is not None:
        if not isinstance(result, model):
            result = model.model_validate(result)
        payload = result.model_dump_json()
    else:
        payload = json.dumps(result)
    return Response(payload, status=status, mimetype="application/json")
