"""The whole document, assembled once per app."""

from __future__ import annotations

import json

from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from ota_core import AvailabilityPolicy
from ota_web.openapi.parts import REF, Json
from ota_web.openapi.paths import operations, reservation, reservations, search
from ota_web.openapi.stay_paths import (
    calendar,
    hold,
    hold_confirmation,
    holds,
    property_reservation,
    reservation_change,
)
from ota_web.schemas import (
    InvalidRequestProblem,
    Problem,
    ReservationBody,
    ReservationList,
    ReservationOut,
    SearchPage,
    Status,
)
from ota_web.stay_schemas import CalendarOut, HoldBody, HoldOut, StayChangeBody

# Request models and response TypedDicts alike, each by its class name.
_SHAPES: list[tuple[type, JsonSchemaMode]] = [
    (ReservationBody, "validation"),
    (ReservationOut, "serialization"),
    (ReservationList, "serialization"),
    (SearchPage, "serialization"),
    (Problem, "serialization"),
    (InvalidRequestProblem, "serialization"),
    (Status, "serialization"),
    (HoldBody, "validation"),
    (StayChangeBody, "validation"),
    (HoldOut, "serialization"),
    (CalendarOut, "serialization"),
]


def _bound_nights(schema: Json, policy: AvailabilityPolicy) -> None:
    """The policy's bounds, which the core enforces, stated where `nights` is described."""
    schema["minimum"], schema["maximum"] = policy.min_nights, policy.max_nights


def openapi_spec(policy: AvailabilityPolicy | None = None) -> Json:
    policy = AvailabilityPolicy() if policy is None else policy
    _refs, definitions = TypeAdapter.json_schemas(
        [(shape, mode, TypeAdapter(shape)) for shape, mode in _SHAPES], ref_template=REF
    )
    search_path = search()
    for parameter in search_path["get"]["parameters"]:
        if parameter["name"] == "nights":
            _bound_nights(parameter["schema"], policy)
    for body in ("ReservationBody", "HoldBody"):
        _bound_nights(definitions["$defs"][body]["properties"]["nights"], policy)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OTA",
            "version": "1.0.0",
            "description": "Search properties free over a stay, and book them. "
            "Every error is an RFC 9457 `application/problem+json` document.",
        },
        "paths": {
            "/api/v1/properties/available": search_path,
            "/api/v1/reservations": reservations(),
            "/api/v1/reservations/{reservation_id}": reservation()
            | {"patch": reservation_change()},
            "/api/v1/holds": holds(),
            "/api/v1/holds/{hold_id}/confirm": hold_confirmation(),
            "/api/v1/holds/{hold_id}": hold(),
            "/api/v1/properties/{property_id}/calendar": calendar(),
            "/api/v1/properties/{property_id}/reservations/{reservation_id}": (
                property_reservation()
            ),
            **operations(),
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
