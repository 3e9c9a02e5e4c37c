"""Pieces of the OpenAPI document: references, responses, parameters, operations."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ota_web.schemas import InvalidRequestProblem, Problem
from ota_web.settings import HEADER_FIELD_MAX_BYTES, HEADER_FIELDS_MAX, REQUEST_LINE_MAX_BYTES

Json = dict[str, Any]
REF = "#/components/schemas/{model}"
REQUEST_ID = {
    "X-Request-ID": {
        "description": "The request's id: the caller's, when printable and at most 128 long.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 128},
    }
}
API_SECURITY: list[Json] = [{"bearerAuth": []}, {"accessToken": []}]


def ref(shape: type) -> Json:
    """A reference to a request model's or response TypedDict's schema."""
    return {"$ref": REF.format(model=shape.__name__)}


def response(description: str, media: str | None = None, schema: Json | None = None) -> Json:
    answer: Json = {"description": description, "headers": dict(REQUEST_ID)}
    if media is not None:
        answer["content"] = {media: {"schema": schema or {}}}
    return answer


def json_response(description: str, shape: type) -> Json:
    return response(description, "application/json", ref(shape))


def problem(description: str, headers: Json | None = None) -> Json:
    answer = response(description, "application/problem+json", ref(Problem))
    answer["headers"].update(headers or {})
    return answer


def header(description: str, *, required: bool = True) -> Json:
    return {"description": description, "required": required, "schema": {"type": "string"}}


BAD_REQUEST = response(
    "Invalid request: malformed or missing input, a stay the policy refuses, an unknown property.",
    "application/problem+json",
    ref(InvalidRequestProblem),
)
UNAUTHORIZED = problem(
    "No valid access token (a UUID, as a Bearer token or `access_token`).",
    {"WWW-Authenticate": header('`Bearer realm="ota"`, with `error="invalid_token"` if sent.')},
)
UNAVAILABLE = problem(
    "The storage cannot be reached; retry later.",
    {"Retry-After": header("Seconds to wait before retrying.")},
)
FAILED = problem("The server failed; the body names the request id to report.")
# Answered by the server before the app: they apply to every route.
OVER_LIMITS = {
    "414": problem(f"The request line is over {REQUEST_LINE_MAX_BYTES} bytes."),
    "431": problem(
        f"More than {HEADER_FIELDS_MAX} header fields, or one over {HEADER_FIELD_MAX_BYTES} bytes."
    ),
}
RESERVATION_ID = {
    "name": "reservation_id",
    "in": "path",
    "required": True,
    "description": "A reservation id; anything but a UUID is an unknown reservation (404).",
    "schema": {"type": "string", "format": "uuid"},
}


def api_operation(summary: str, responses: Json) -> Json:
    everywhere = {"400": BAD_REQUEST, "401": UNAUTHORIZED, "500": FAILED, "503": UNAVAILABLE}
    everywhere |= OVER_LIMITS
    return {
        "summary": summary,
        "tags": ["bookings"],
        "security": API_SECURITY,
        "responses": everywhere | responses,
    }


def _without_null(schema: Json) -> Json:
    """A query parameter is absent or text, never null."""
    options = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
    if schema.get("default", "") is None:
        del schema["default"]
    return schema | options[0] if options else schema


def query_parameters(model: type[BaseModel]) -> list[Json]:
    schema = model.model_json_schema(ref_template=REF)
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


def plain_operation(summary: str, ok: Json, others: Json | None = None) -> Json:
    responses = {"200": ok, "500": FAILED} | OVER_LIMITS | (others or {})
    return {"summary": summary, "tags": ["operations"], "security": [], "responses": responses}
