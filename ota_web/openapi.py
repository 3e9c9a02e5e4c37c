"""`/openapi.json`, built once from the pydantic models that validate and serialize.

Schemas come from `ota_web.schemas`; this module only says which route takes
and answers which of them, with which status.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from ota_core import AvailabilityPolicy
from ota_web.docs import DOCS_ASSETS
from ota_web.schemas import (
    InvalidRequestProblem,
    Problem,
    ReservationBody,
    ReservationOut,
    SearchPage,
    SearchQuery,
    Status,
)

Json = dict[str, Any]
_REF = "#/components/schemas/{model}"
_MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (ReservationBody, "validation"),
    (ReservationOut, "serialization"),
    (SearchPage, "serialization"),
    (Problem, "serialization"),
    (InvalidRequestProblem, "serialization"),
    (Status, "serialization"),
]
_REQUEST_ID = {
    "X-Request-ID": {
        "description": "The request's id: the caller's, when printable and at most 128 long.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 128},
    }
}
_API_SECURITY: list[Json] = [{"bearerAuth": []}, {"accessToken": []}]


def _ref(model: type[BaseModel]) -> Json:
    return {"$ref": _REF.format(model=model.__name__)}


def _response(description: str, media: str | None = None, schema: Json | None = None) -> Json:
    response: Json = {"description": description, "headers": dict(_REQUEST_ID)}
    if media is not None:
        response["content"] = {media: {"schema": schema or {}}}
    return response


def _json(description: str, model: type[BaseModel]) -> Json:
    return _response(description, "application/json", _ref(model))


def _problem(description: str, headers: Json | None = None) -> Json:
    response = _response(description, "application/problem+json", _ref(Problem))
    response["headers"].update(headers or {})
    return response


def _header(description: str) -> Json:
    return {"description": description, "required": True, "schema": {"type": "string"}}


_BAD_REQUEST = _response(
    "Invalid request: malformed or missing input, a stay the policy refuses, an unknown property.",
    "application/problem+json",
    _ref(InvalidRequestProblem),
)
_UNAUTHORIZED = _problem(
    "No valid access token (a UUID, as a Bearer token or `access_token`).",
    {"WWW-Authenticate": _header('`Bearer realm="ota"`, with `error="invalid_token"` if sent.')},
)
_UNAVAILABLE = _problem(
    "The storage cannot be reached; retry later.",
    {"Retry-After": _header("Seconds to wait before retrying.")},
)
_FAILED = _problem("The server failed; the body names the request id to report.")
_RESERVATION_ID = {
    "name": "reservation_id",
    "in": "path",
    "required": True,
    "description": "A reservation id; anything but a UUID is an unknown reservation (404).",
    "schema": {"type": "string", "format": "uuid"},
}


def _api_operation(summary: str, responses: Json) -> Json:
    everywhere = {"400": _BAD_REQUEST, "401": _UNAUTHORIZED, "500": _FAILED, "503": _UNAVAILABLE}
    return {
        "summary": summary,
        "tags": ["bookings"],
        "security": _API_SECURITY,
        "responses": everywhere | responses,
    }


def _without_null(schema: Json) -> Json:
    """A query parameter is absent or text, never null."""
    options = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
    if schema.get("default", "") is None:
        del schema["default"]
    return schema | options[0] if options else schema


def _query_parameters(model: type[BaseModel]) -> list[Json]:
    schema = model.model_json_schema(ref_template=_REF)
    required = set(schema.get("required", []))
    parameters = []
    for name, field in schema["properties"].items():
        field.pop("title", None)
        description = field.pop("description", "")
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "description": description,
                "schema": _without_null(field),
            }
        )
    return parameters


def _search() -> Json:
    operation = _api_operation(
        "Properties free for every night of a stay, ordered by id, a page at a time",
        {
            "200": _json("A page; an empty list only after the first page.", SearchPage),
            "404": _problem("No property is free for the stay (the first page is empty)."),
        },
    )
    operation["parameters"] = _query_parameters(SearchQuery)
    operation["description"] = (
        "Unknown or repeated query parameters are refused (400). "
        "Past dates may be searched; `nights` must meet the availability policy."
    )
    return {"get": operation}


def _reservations() -> Json:
    made = _json("The reservation: new, or the original one for a repeated key.", ReservationOut)
    made["headers"]["Location"] = _header("The reservation's URL.")
    operation = _api_operation(
        "Book a stay",
        {
            "200": made,
            "409": _problem("Some of the nights are taken."),
            "413": _problem("The body is larger than 16 KiB."),
            "422": _problem("The Idempotency-Key was used before with a different body."),
        },
    )
    operation["description"] = (
        "The start date must not be in the past (anywhere on Earth) nor beyond the booking "
        "horizon. The body must be sent as `application/json`; anything else is a 400."
    )
    operation["parameters"] = [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "Sending the same body with the same key returns the same reservation.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        }
    ]
    operation["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": _ref(ReservationBody)}},
    }
    return {"post": operation}


def _reservation() -> Json:
    unknown = {"404": _problem("No reservation has this id.")}
    return {
        "parameters": [_RESERVATION_ID],
        "get": _api_operation(
            "A reservation", {"200": _json("The reservation.", ReservationOut)} | unknown
        ),
        "delete": _api_operation(
            "Cancel a reservation: its nights are free again; cancelling twice is harmless",
            {"204": _response("Cancelled.")} | unknown,
        ),
    }


def _operations() -> Json:
    asset = {
        "name": "asset",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": sorted(DOCS_ASSETS)},
    }
    return {
        "/healthz": {"get": _plain("The process is alive.", _json("Alive.", Status))},
        "/readyz": {
            "get": _plain(
                "The storage is reachable and its schema current.",
                _json("Ready.", Status),
                {"503": _UNAVAILABLE},
            )
        },
        "/metrics": {
            "get": _plain("Prometheus metrics", _response("Text format.", "text/plain", {}))
        },
        "/openapi.json": {
            "get": _plain(
                "This document", _response("OpenAPI 3.1.", "application/json", {"type": "object"})
            )
        },
        "/docs": {"get": _plain("Interactive docs", _response("Swagger UI.", "text/html", {}))},
        "/docs/{asset}": {
            "parameters": [asset],
            "get": _plain(
                "A file of the docs page",
                _response("The file.", "*/*", {}),
                {"404": _problem("No such file.")},
            ),
        },
    }


def _plain(summary: str, ok: Json, others: Json | None = None) -> Json:
    responses = {"200": ok, "500": _FAILED} | (others or {})
    return {"summary": summary, "tags": ["operations"], "security": [], "responses": responses}


def _bound_nights(schema: Json, policy: AvailabilityPolicy) -> None:
    """The policy's bounds, which the core enforces, stated where `nights` is described."""
    schema["minimum"], schema["maximum"] = policy.min_nights, policy.max_nights


def openapi_spec(policy: AvailabilityPolicy | None = None) -> Json:
    policy = AvailabilityPolicy() if policy is None else policy
    _refs, definitions = models_json_schema(_MODELS, ref_template=_REF)
    search = _search()
    for parameter in search["get"]["parameters"]:
        if parameter["name"] == "nights":
            _bound_nights(parameter["schema"], policy)
    _bound_nights(definitions["$defs"]["ReservationBody"]["properties"]["nights"], policy)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OTA",
            "version": "1.0.0",
            "description": "Search properties free over a stay, and book them. "
            "Every error is an RFC 9457 `application/problem+json` document.",
        },
        "paths": {
            "/api/v1/properties/available": search,
            "/api/v1/reservations": _reservations(),
            "/api/v1/reservations/{reservation_id}": _reservation(),
            **_operations(),
        },
        "tags": [
            {
                "name": "bookings",
                "description": "Search and reserve; a UUID access token is required.",
            },
            {"name": "operations", "description": "Health, readiness, metrics and documentation."},
        ],
        "components": {
            "schemas": definitions["$defs"],
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "UUID"},
                "accessToken": {"type": "apiKey", "in": "query", "name": "access_token"},
            },
        },
    }


def openapi_document(policy: AvailabilityPolicy) -> bytes:
    return json.dumps(openapi_spec(policy), separators=(",", ":")).encode()
