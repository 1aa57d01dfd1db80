"""The OpenAPI 3.1 document of ``/api/v1``, generated from the operations declared in the views
(``api.operation``) and the Pydantic models of ``schemas.py`` (their JSON Schemas, which OpenAPI
3.1 takes as they are)."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic.json_schema import models_json_schema

from . import OPERATIONS, schemas
from .problems import MEDIA_TYPE

REF = "#/components/schemas/{model}"
STATUS_TEXT = {200: "OK", 201: "Created"}
PAGING = [
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1},
        "description": "Rows per page (capped by the server, API_PAGE_MAX).",
    },
    {
        "name": "cursor",
        "in": "query",
        "schema": {"type": "string"},
        "description": "The next_cursor of the previous page.",
    },
    {
        "name": "updated_since",
        "in": "query",
        "schema": {"type": "string", "format": "date-time"},
        "description": "Only rows changed at or after this time (incremental sync).",
    },
]


@lru_cache(maxsize=1)
def document() -> dict:
    # Responses as the server writes them, request bodies as it reads them.
    wanted = {(schemas.Problem, "serialization")}
    for op in OPERATIONS:
        wanted.add((op.response, "serialization"))
        if op.body is not None:
            wanted.add((op.body, "validation"))
    ordered = sorted(wanted, key=lambda pair: (pair[0].__name__, pair[1]))
    keys, definitions = models_json_schema(ordered, ref_template=REF)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path, parameters = _path(op.rule)
        if op.paged:
            parameters = [*parameters, *PAGING]
        entry = {
            "summary": op.summary,
            "operationId": _operation_id(op),
            "parameters": parameters,
            "responses": {
                str(op.status): {
                    "description": STATUS_TEXT.get(op.status, "OK"),
                    "content": {
                        "application/json": {"schema": keys[(op.response, "serialization")]}
                    },
                },
                **{str(status): _problem(status) for status in (401, 429, *op.problems)},
            },
        }
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": keys[(op.body, "validation")]}},
            }
        if op.write:
            entry["description"] = "Needs a write token."
        paths.setdefault(path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "eventsvc API",
            "version": "1",
            "description": "Events, registrations, check-ins and claims of the organiser who "
            "owns the token. Errors are application/problem+json (RFC 9457), in the language "
            "of Accept-Language (French by default).",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


PROBLEMS = {
    401: "No token, an unknown or a revoked one",
    403: "A read token cannot write",
    404: "No such object among the organiser's",
    409: "Refused in the present state (already registered, closed, no room, cancelled...)",
    422: "Values that do not fit: one entry per field in errors",
    429: "Too many requests for this token: see Retry-After",
}


def _problem(status: int) -> dict:
    return {
        "description": PROBLEMS.get(status, "Problem"),
        "content": {MEDIA_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}},
    }


def _path(rule: str) -> tuple[str, list[dict]]:
    parameters = []

    def replace(match):
        converter, name = match.group(1), match.group(2)
        kind = "integer" if converter == "int" else "string"
        parameters.append({"name": name, "in": "path", "required": True, "schema": {"type": kind}})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule), parameters


def _operation_id(op) -> str:
    return op.method.lower() + re.sub(r"[^A-Za-z0-9]+", "_", op.rule).rstrip("_")
