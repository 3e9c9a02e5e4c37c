"""`/reservations`: book, look up and cancel stays."""

from __future__ import annotations

import uuid

from dependency_injector.wiring import Provide, inject
from flask import Response, request

from ota_core import (
    CancelReservation,
    ChangeStay,
    GetReservation,
    MakeReservation,
    ReservationId,
    ReservationRequest,
    StayChange,
    parse_property_id,
)
from ota_web.api.blueprint import API_PREFIX, api
from ota_web.api.parsing import body_of, idempotency_key, json_response
from ota_web.auth import current_principal
from ota_web.container import Container
from ota_web.events import DomainEvents
from ota_web.schemas import ReservationBody, reservation_out
from ota_web.stay_schemas import StayChangeBody

# Tells a client that retried with an Idempotency-Key that nothing new was booked.
REPLAYED_HEADER = "Idempotent-Replayed"


@api.post("/reservations")
@inject
def make_reservation(
    make: MakeReservation = Provide[Container.make_reservation],
    events: DomainEvents = Provide[Container.events],
) -> Response:
    body = body_of(ReservationBody, request)
    wanted = ReservationRequest.of(body.property_id, body.start_date, body.nights)
    booking = make.execute(wanted, current_principal(), idempotency_key=idempotency_key(request))
    reservation = booking.reservation
    location = f"{API_PREFIX}/reservations/{reservation.id}"
    response = json_response(reservation_out(reservation), location=location)
    if booking.replayed:
        events.booking_replayed(reservation)
        response.headers[REPLAYED_HEADER] = "true"
    else:
        events.reservation_made(reservation)
    return response


# A malformed id matches no route (`uuid` converter): 404, like an unknown one, and
# like someone else's reservation.
@api.get("/reservations/<uuid:reservation_id>")
@inject
def reservation(
    reservation_id: uuid.UUID,
    get: GetReservation = Provide[Container.get_reservation],
) -> Response:
    found = get.execute(ReservationId(reservation_id), current_principal())
    return json_response(reservation_out(found))


# The same, named with its property (as every answer gives it): on Citus the read goes
# to the property's shard alone, where the one above asks every shard (ADR 0007).
@api.get("/properties/<property_id>/reservations/<uuid:reservation_id>")
@inject
def property_reservation(
    property_id: str,
    reservation_id: uuid.UUID,
    get: GetReservation = Provide[Container.get_reservation],
) -> Response:
    of_property = parse_property_id(property_id)
    found = get.execute(ReservationId(reservation_id), current_principal(), property_id=of_property)
    return json_response(reservation_out(found))


@api.delete("/reservations/<uuid:reservation_id>")
@inject
def cancel_reservation(
    reservation_id: uuid.UUID,
    cancel: CancelReservation = Provide[Container.cancel_reservation],
    events: DomainEvents = Provide[Container.events],
) -> Response:
    events.reservation_cancelled(cancel.execute(ReservationId(reservation_id), current_principal()))
    return Response(status=204)


@api.patch("/reservations/<uuid:reservation_id>")
@inject
def change_stay(
    reservation_id: uuid.UUID,
    change: ChangeStay = Provide[Container.change_stay],
    events: DomainEvents = Provide[Container.events],
) -> Response:
    body = body_of(StayChangeBody, request)
    wanted = StayChange(body.start_date, body.nights)
    changed = change.execute(ReservationId(reservation_id), current_principal(), wanted)
    events.stay_changed(changed)
    return json_response(reservation_out(changed))
