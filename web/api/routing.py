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

from web.api import bp
from web.security import load_user_from_request
from workflow.errors import InvalidInput, NotFound
from workflow.schemas import MAX_ID

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

MAX_BODY = 1024 * 1024
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
    #: ``("evidence", "consultation")`` or ``("triggers", "")`` (each trigger its own)
    permission: tuple[str, str] | None = None

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
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view in the route table and on the blueprint.

    The view receives its path ids as keyword arguments, plus ``query`` and ``body`` as
    validated models when declared; it returns a model (or dict) for ``response``, or a
    ready :class:`flask.Response` for streams.
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
        )
        ROUTES.append(route)

        @functools.wraps(fn)
        def view(**path: Any) -> Response:
            if not public:
                token_user()
            kwargs: dict[str, Any] = {}
            for name, value in path.items():
                kwargs[name] = check_id(name.removesuffix("_id"), value)
            if query is not None:
                kwargs["query"] = parse_query(query)
            if body is not None:
                kwargs["body"] = parse_body(body)
            result = fn(**kwargs)
            if isinstance(result, Response):
                return result
            return json_response(result, status, response)

        bp.add_url_rule(rule, fn.__name__, view, methods=[method])
        return fn

    return decorate


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
        raise Unauthenticated()
    g._login_user = user  # where flask-login keeps the request's user
    return user


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
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object")
    _refuse_nul(data, "")
    return model.model_validate_json(text, strict=True)


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
