"""The routes of the OpenAPI document: which route takes and answers which model."""

from __future__ import annotations

from ota_web.docs import DOCS_FILES
from ota_web.listing import OwnReservationsParams
from ota_web.openapi.parts import (
    RESERVATION_ID,
    UNAVAILABLE,
    Json,
    api_operation,
    header,
    json_response,
    plain_operation,
    problem,
    query_parameters,
    ref,
    response,
)
from ota_web.schemas import (
    ReservationBody,
    ReservationList,
    ReservationOut,
    SearchPage,
    SearchQuery,
    Status,
)


def search() -> Json:
    operation = api_operation(
        "Properties free for every night of a stay, ordered by id, a page at a time",
        {
            "200": json_response("A page; an empty list only after the first page.", SearchPage),
            "404": problem("No property is free for the stay (the first page is empty)."),
        },
    )
    operation["parameters"] = query_parameters(SearchQuery)
    operation["description"] = (
        "Unknown or repeated query parameters are refused (400). "
        "Past dates may be searched; `nights` must meet the availability policy."
    )
    return {"get": operation}


def reservations() -> Json:
    made = json_response(
        "The reservation: new, or the original one for a repeated key.", ReservationOut
    )
    made["headers"]["Location"] = header("The reservation's URL.")
    made["headers"]["Idempotent-Replayed"] = header(
        "`true` when an earlier request with the same Idempotency-Key made the reservation.",
        required=False,
    )
    operation = api_operation(
        "Book a stay",
        {
            "200": made,
            "409": problem("Some of the nights are taken."),
            "413": problem("The body is larger than 16 KiB."),
            "422": problem("The Idempotency-Key was used before with a different body."),
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
        "content": {"application/json": {"schema": ref(ReservationBody)}},
    }
    return {"post": operation, "get": own_reservations()}


def own_reservations() -> Json:
    operation = api_operation(
        "The caller's own reservations, by start date then id, a page at a time",
        {"200": json_response("A page; `next` is null on the last.", ReservationList)},
    )
    operation["parameters"] = query_parameters(OwnReservationsParams)
    operation["description"] = (
        "Only the reservations the access token's principal booked. `from` and `to` keep "
        "the stays with a night in [from, to). Unknown or repeated query parameters, and a "
        "cursor this service did not give, are refused (400)."
    )
    return operation


def reservation() -> Json:
    # Someone else's reservation answers as an unknown id: its existence is not revealed.
    unknown = {"404": problem("No reservation of the caller's has this id.")}
    return {
        "parameters": [RESERVATION_ID],
        "get": api_operation(
            "A reservation", {"200": json_response("The reservation.", ReservationOut)} | unknown
        ),
        "delete": api_operation(
            "Cancel a reservation: its nights are free again; cancelling twice is harmless",
            {"204": response("Cancelled.")}
            | unknown
            | {"409": problem("The stay has begun (its start date has come, in UTC).")},
        ),
    }


def operations() -> Json:
    asset = {
        "name": "asset",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": sorted(DOCS_FILES)},
    }
    return {
        "/healthz": {
            "get": plain_operation("The process is alive.", json_response("Alive.", Status))
        },
        "/readyz": {
            "get": plain_operation(
                "The storage is reachable and its schema current.",
                json_response("Ready.", Status),
                {"503": UNAVAILABLE},
            )
        },
        "/metrics": {
            "get": plain_operation(
                "Prometheus metrics (with METRICS_PORT set: on that port only, not here)",
                response("Text format.", "text/plain", {}),
            )
        },
        "/openapi.json": {
            "get": plain_operation(
                "This document", response("OpenAPI 3.1.", "application/json", {"type": "object"})
            )
        },
        "/docs": {
            "get": plain_operation("Interactive docs", response("Swagger UI.", "text/html", {}))
        },
        "/docs/{asset}": {
            "parameters": [asset],
            "get": plain_operation(
                "A file of the docs page",
                response("The file.", "*/*", {}),
                {"404": problem("No such file.")},
            ),
        },
    }
