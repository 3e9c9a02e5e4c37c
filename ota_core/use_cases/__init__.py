"""What the service does, one class per activity, each with one `execute`."""

from ota_core.use_cases.calendar import GetCalendar
from ota_core.use_cases.change import ChangeStay, StayChange
from ota_core.use_cases.holds import ConfirmHold, PlaceHold, ReleaseHold
from ota_core.use_cases.manage import CancelReservation, GetReservation
from ota_core.use_cases.mine import (
    DEFAULT_RESERVATIONS_PAGE_SIZE,
    MAX_RESERVATIONS_PAGE_SIZE,
    ListReservations,
    OwnReservationsQuery,
    ReservationPage,
)
from ota_core.use_cases.reserve import (
    Booking,
    MakeReservation,
    ReservationRequest,
    parse_idempotency_key,
)
from ota_core.use_cases.retention import ForgetExpiredHolds, ForgetIdempotencyKeys
from ota_core.use_cases.search import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    AvailabilityQuery,
    PropertyPage,
    SearchAvailability,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_RESERVATIONS_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "MAX_RESERVATIONS_PAGE_SIZE",
    "AvailabilityQuery",
    "Booking",
    "CancelReservation",
    "ChangeStay",
    "ConfirmHold",
    "ForgetExpiredHolds",
    "ForgetIdempotencyKeys",
    "GetCalendar",
    "GetReservation",
    "ListReservations",
    "MakeReservation",
    "OwnReservationsQuery",
    "PlaceHold",
    "PropertyPage",
    "ReleaseHold",
    "ReservationPage",
    "ReservationRequest",
    "SearchAvailability",
    "StayChange",
    "parse_idempotency_key",
]
