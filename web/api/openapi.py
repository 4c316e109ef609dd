"""The OpenAPI 3.1 document, generated from the route table and the pydantic models.

Nothing here is written by hand per endpoint: paths, parameters, bodies and responses
come from :func:`web.api.routing.route_table`, schemas from ``models_json_schema`` (inputs in
validation mode, outputs in serialization mode, so money reads as a decimal string).
The triggers' enum and the roles allowed to call each write come from the rules in force,
so the document is built per pair of rules hashes and kept for as long as they are.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from flask import Response
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from web.api.problems import PROBLEM_MEDIA, Problem
from web.api.replay import HEADER, REPLAYED
from web.api.routing import MAX_DEPTH, Route, api_route, route_table
from web.context import runtime
from workflow.actors import Actor
from workflow.evidence import registry
from workflow.idempotency import KEY
from workflow.limits import IDEMPOTENCY_KEY_MAX
from workflow.permissions import roles_allowed, sees_all_cases
from workflow.rules import Rules
from workflow.schemas import MAX_ID

REF = "#/components/schemas/{model}"
TITLES = {
    400: "Malformed request (invalid JSON, not an object, bad parameter)",
    401: "No valid bearer token (missing, unknown, expired or revoked: see detail)",
    403: "Your role may not do this",
    404: "No such record",
    409: "Conflicts with the current state (full cycle, duplicate, stale version, wrong state)",
    422: "Invalid input, ineligible organisation or blocked by guards",
}
#: What the HTTP server itself refuses before the API sees the request (gunicorn's limits;
#: ``web.workers`` writes these as problems too).
SERVER_REFUSALS = (
    "The server refuses some requests before they reach an operation, also as problem "
    "documents: a request line (method, path and query) longer than 4094 bytes (414), a "
    "malformed request line, method or header, or bytes outside ASCII in the request line "
    "(400), more than 100 header fields or one longer than 8190 bytes (431)."
)


def _idempotency_key() -> dict[str, Any]:
    """The optional ``Idempotency-Key`` header every write takes."""
    return {
        "name": HEADER,
        "in": "header",
        "required": False,
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": IDEMPOTENCY_KEY_MAX,
            "pattern": f"^{KEY.pattern}$",
        },
        "description": (
            "Any unique string of yours (a UUID will do) that makes a retry safe: the same "
            "key with the same request within the policy's idempotency.keep_hours (default "
            "24) is not done again but answered with the first answer (status, body, "
            f"Content-Type and Location), marked `{REPLAYED}: true`; also while the first "
            "is still running (the retry waits for it, or gets 409 "
            "`idempotency-in-progress` after 30 s). The same key with another method, path, "
            "query or body is refused with 422 naming the header. Keys are per user. An "
            "answer with a 5xx status is not kept when nothing was written: the retry runs "
            "again. The key records in the write's own transaction that the write was done, "
            "so a retry never writes twice: if the server stopped between the write and "
            "storing its answer, the retry gets 409 `idempotency-answer-lost` (read the "
            "resource for the result)."
        ),
    }


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """Query parameters are absent rather than null: drop ``null`` from optional ones."""
    options = schema.get("anyOf")
    if not options:
        return {k: v for k, v in schema.items() if not (k == "default" and v is None)}
    kept = [o for o in options if o.get("type") != "null"]
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}


def _name(ref: dict[str, Any]) -> str:
    return str(ref["$ref"]).rsplit("/", 1)[-1]


def _operation(r: Route, refs: Mapping[Any, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        }
        for name in r.path_params
    ]
    if r.replayable:
        params.append(_idempotency_key())
    if r.query is not None:
        q = schemas[_name(refs[(r.query, "validation")])]
        required = set(q.get("required", []))
        for name, prop in q.get("properties", {}).items():
            param: dict[str, Any] = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": _without_null(prop),
            }
            if "description" in prop:
                param["description"] = prop["description"]
            if name not in required:
                param["allowEmptyValue"] = True  # ``?state=`` counts as not given
            params.append(param)
    op: dict[str, Any] = {
        "operationId": r.endpoint,
        "summary": r.summary,
        "tags": [r.tag],
        "parameters": params,
        "security": [] if r.public else [{"bearerAuth": []}],
    }
    if r.description:
        op["description"] = r.description
    if r.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(r.body, "validation")]}},
        }
    elif r.form is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": refs[(r.form, "validation")]}},
        }
    elif r.upload is not None:
        op["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {r.upload: {"type": "string", "format": "binary"}},
                        "required": [r.upload],
                    }
                }
            },
        }
    ok: dict[str, Any] = {"description": r.summary}
    if r.replayable:
        ok["headers"] = {
            REPLAYED: {
                "description": f"`true` when this is the stored answer to an earlier request "
                f"with the same {HEADER}",
                "schema": {"type": "string", "enum": ["true"]},
            }
        }
    if r.response is not None:
        ok["content"] = {"application/json": {"schema": refs[(r.response, "serialization")]}}
    elif r.stream:
        ok["content"] = {
            media: {"schema": {"type": "string", "description": what}}
            for media, what in r.stream.items()
        }
    responses: dict[str, Any] = {str(r.status): ok}
    problem = {PROBLEM_MEDIA: {"schema": refs[(Problem, "serialization")]}}
    for code in r.errors:
        responses[str(code)] = {"description": TITLES.get(code, "Error"), "content": problem}
    responses["default"] = {"description": "Any other error, as a problem", "content": problem}
    op["responses"] = responses
    return op


def _roles_allowed(rules: Rules, r: Route) -> str:
    """Who may call a write operation, in words, from the policy in force."""
    assert r.permission is not None
    section, name = r.permission
    if section == "triggers":
        lines, anyone = [], set()
        for t in rules.states.spec.transitions:
            who = roles_allowed(rules, "triggers", t.trigger)
            anyone.update(who)
            lines.append(f"`{t.trigger}`: {', '.join(who) or 'no role'}")
        text = "Roles that may fire each trigger (policy in force): " + "; ".join(lines) + "."
    else:
        who = roles_allowed(rules, section, name)
        anyone = set(who)
        text = f"Roles that may call this (policy in force, `{section}: {name}`): "
        text += (", ".join(who) or "no role") + "."
    scoped = [
        role
        for role in rules.policy.spec.roles
        if role in anyone and not sees_all_cases(rules, Actor("", role))
    ]
    if scoped and r.path_params:
        text += f" {', '.join(scoped)}: only on cases assigned to them."
    return text


def _trigger_enum(rules: Rules, schemas: dict[str, Any]) -> None:
    """The transition request's ``trigger``: exactly the active states file's triggers."""
    prop = schemas["TransitionIn"]["properties"]["trigger"]
    prop["enum"] = list(dict.fromkeys(t.trigger for t in rules.states.spec.transitions))
    prop["description"] = "a trigger of the active workflow (`GET /api/v1/workflow`)"


_CACHE: dict[tuple[str, ...], str] = {}
_CACHE_LOCK = threading.Lock()


def document_json(rules: Rules) -> str:
    """The document as JSON text for the rules in force, built once per pair of hashes
    (and set of evidence kinds, each of which has its paths)."""
    key = (rules.states_hash, rules.policy_hash, *(k.name for k in registry.kinds()))
    text = _CACHE.get(key)
    if text is None:
        text = json.dumps(document(rules))
        with _CACHE_LOCK:
            if len(_CACHE) >= 8:  # a few versions at most; old ones are not asked for again
                _CACHE.clear()
            _CACHE[key] = text
    return text


def document(rules: Rules) -> dict[str, Any]:
    """The whole document for ``rules``: the route table and models are fixed at import;
    the triggers' enum and who may call each write come from the rules in force."""
    routes = route_table()
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Problem, "serialization")]
    for r in routes:
        if r.body is not None:
            wanted.append((r.body, "validation"))
        if r.form is not None:
            wanted.append((r.form, "validation"))
        if r.query is not None:
            wanted.append((r.query, "validation"))
        if r.response is not None:
            wanted.append((r.response, "serialization"))
    pairs = list(dict.fromkeys(wanted))
    refs, defs = models_json_schema(pairs, ref_template=REF)
    schemas = defs.get("$defs", {})
    _trigger_enum(rules, schemas)
    paths: dict[str, dict[str, Any]] = {}
    for r in routes:
        op = _operation(r, refs, schemas)
        if r.permission is not None:
            roles = _roles_allowed(rules, r)
            op["description"] = f"{op['description']}\n\n{roles}" if "description" in op else roles
        paths.setdefault(r.openapi_path, {})[r.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Inkubators API",
            "version": "1.0.0",
            "summary": "Cases of Liepāja's NGO growth incubator: enrol, record evidence, advance, audit, report.",
            "description": (
                "Authenticate every call with `Authorization: Bearer TOKEN` "
                "(`inkubators token create NAME`); a token works for the policy's "
                "`tokens.lifetime_days` and ends when revoked or when its user's password "
                "changes. Errors are RFC 9457 problem documents. "
                "Money is a decimal string in EUR; dates are ISO 8601. "
                f"Writes take an optional `{HEADER}` header that makes retries safe. "
                f"A JSON body may nest at most {MAX_DEPTH} levels. {SERVER_REFUSALS} "
                "This document is generated for the rules in force (states "
                f"`{rules.states_hash}`, policy `{rules.policy_hash}`): the transition "
                "triggers and the roles named in each write operation follow them."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
    }


@api_route("/openapi.json", tag="meta", public=True)
def openapi() -> Response:
    """This document: OpenAPI 3.1, generated from the route table and the pydantic models."""
    return Response(document_json(runtime().rules), mimetype="application/json")
