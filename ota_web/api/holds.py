"""`/holds`: hold a stay while the guest pays, then confirm or release it."""

from __future__ import annotations

import uuid

from dependency_injector.wiring import Provide, inject
from flask import Response, request

from ota_core import ConfirmHold, PlaceHold, ReleaseHold, ReservationId, ReservationRequest
from ota_web.api.blueprint import API_PREFIX, api
from ota_web.api.parsing import body_of, idempotency_key, json_response
from ota_web.api.reservations import REPLAYED_HEADER
from ota_web.auth import current_principal
from ota_web.container import Container
from ota_web.events import DomainEvents
from ota_web.schemas import reservation_out
from ota_web.stay_schemas import HoldBody, hold_out


@api.post("/holds")
@inject
def place_hold(
    place: PlaceHold = Provide[Container.place_hold],
    events: DomainEvents = Provide[Container.events],
) -> Response:
    body = body_of(HoldBody, request)
    wanted = ReservationRequest.of(body.property_id, body.start_date, body.nights)
    hold = place.execute(wanted, current_principal())
    events.hold_placed(hold)
    return json_response(hold_out(hold), 201)


# A malformed id matches no route (`uuid` converter): 404, like an unknown one, and
# like someone else's hold.
@api.post("/holds/<uuid:hold_id>/confirm")
@inject
def confirm_hold(
    hold_id: uuid.UUID,
    confirm: ConfirmHold = Provide[Container.confirm_hold],
    events: DomainEvents = Provide[Container.events],
) -> Response:
    booking = confirm.execute(
        ReservationId(hold_id), current_principal(), idempotency_key=idempotency_key(request)
    )
    reservation = booking.reservation
    location = f"{API_PREFIX}/reservations/{reservation.id}"
    response = json_response(reservation_out(reservation), location=location)
    if booking.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    else:
        events.hold_confirmed(reservation)
    return response


@api.delete("/holds/<uuid:hold_id>")
@inject
def release_hold(
    hold_id: uuid.UUID,
    release: ReleaseHold = Provide[Container.release_hold],
    events: DomainEvents = Provide[Container.events],
) -> Response:
    events.hold_released(release.execute(ReservationId(hold_id), current_principal()))
    return Response(status=204)
