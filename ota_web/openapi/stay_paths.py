"""The routes of holds, date changes and calendars in the OpenAPI document."""

from __future__ import annotations

from ota_web.openapi.parts import (
    RESERVATION_ID,
    Json,
    api_operation,
    header,
    json_response,
    problem,
    query_parameters,
    ref,
    response,
)
from ota_web.schemas import ReservationOut
from ota_web.stay_schemas import CalendarOut, CalendarQuery, HoldBody, HoldOut, StayChangeBody

HOLD_ID = {
    "name": "hold_id",
    "in": "path",
    "required": True,
    "description": "A hold id; anything but a UUID is an unknown hold (404).",
    "schema": {"type": "string", "format": "uuid"},
}
PROPERTY_ID = {
    "name": "property_id",
    "in": "path",
    "required": True,
    "description": "A property id.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Sending the same request with the same key answers it again.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
UNKNOWN_HOLD = {"404": problem("No hold has this id.")}


def _body(shape: type) -> Json:
    return {"required": True, "content": {"application/json": {"schema": ref(shape)}}}


def holds() -> Json:
    operation = api_operation(
        "Hold a stay: its nights are taken for everyone until `expires_at`",
        {
            "201": json_response("The hold.", HoldOut),
            "409": problem("Some of the nights are taken (booked or held)."),
            "413": problem("The body is larger than 16 KiB."),
        },
    )
    operation["description"] = (
        "The policy applies as to a booking. The hold lasts `HOLD_TTL_SECONDS` (600 by "
        "default); an expired hold takes no nights, at once."
    )
    operation["requestBody"] = _body(HoldBody)
    return {"post": operation}


def hold_confirmation() -> Json:
    made = json_response("The reservation, under the hold's id.", ReservationOut)
    made["headers"]["Location"] = header("The reservation's URL.")
    made["headers"]["Idempotent-Replayed"] = header(
        "`true` when the hold had been confirmed already.", required=False
    )
    operation = api_operation(
        "Confirm a hold: it becomes a reservation",
        {
            "200": made,
            "409": problem("The key is being used by a request still under way."),
            "410": problem("The hold has expired (`hold_expired`) or was released."),
            "422": problem("The Idempotency-Key was used before with another request."),
        }
        | UNKNOWN_HOLD,
    )
    operation["parameters"] = [IDEMPOTENCY_KEY]
    return {"parameters": [HOLD_ID], "post": operation}


def hold() -> Json:
    released = api_operation(
        "Release a hold: its nights are free at once; releasing twice is harmless",
        {"204": response("Released.")} | UNKNOWN_HOLD,
    )
    return {"parameters": [HOLD_ID], "delete": released}


def reservation_change() -> Json:
    operation = api_operation(
        "Move a reservation to other dates, atomically",
        {
            "200": json_response("The reservation with its new stay.", ReservationOut),
            "404": problem("No reservation has this id."),
            "409": problem("Another stay holds some of the new nights, or it is cancelled."),
            "413": problem("The body is larger than 16 KiB."),
        },
    )
    operation["description"] = (
        "Give `start_date`, `nights` or both. The stay keeps its nights until the new ones "
        "are taken; it may overlap its own. The policy applies to the new stay."
    )
    operation["requestBody"] = _body(StayChangeBody)
    return operation


def calendar() -> Json:
    operation = api_operation(
        "A property's taken and free nights over a window of at most 366 days",
        {
            "200": json_response("The calendar.", CalendarOut),
            "404": problem("No property has this id."),
        },
    )
    operation["parameters"] = [PROPERTY_ID, *query_parameters(CalendarQuery)]
    return {"get": operation}


def property_reservation() -> Json:
    return {
        "parameters": [PROPERTY_ID, RESERVATION_ID],
        "get": api_operation(
            "A reservation, named with its property: on a sharded database (Citus) the read "
            "goes to the one shard that holds the property",
            {
                "200": json_response("The reservation.", ReservationOut),
                "404": problem("No reservation of the caller's has this id and property."),
            },
        ),
    }
