"""`GET /reservations`: the caller's own reservations, a keyset page at a time."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import Response, request

from ota_core import (
    ListReservations,
    OwnReservationsQuery,
    ReservationFilter,
    ReservationStatus,
)
from ota_web.api.blueprint import api
from ota_web.api.parsing import json_response, query_of
from ota_web.auth import current_principal
from ota_web.container import Container
from ota_web.listing import OwnReservationsParams, reservation_list


@api.get("/reservations")
@inject
def own_reservations(
    list_reservations: ListReservations = Provide[Container.list_reservations],
) -> Response:
    params = query_of(OwnReservationsParams, request)
    status = None if params.status is None else ReservationStatus(params.status)
    where = ReservationFilter(status, window_start=params.from_, window_end=params.to)
    query = OwnReservationsQuery(current_principal(), where, params.after, params.limit)
    return json_response(reservation_list(list_reservations.execute(query)))
