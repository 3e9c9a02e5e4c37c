"""What happened to reservations: a metric each, and the ids in the request's log line.

Inside a request, an event becomes fields of the request's one log line
(`event`, and the reservation's ids, or the refusal's code and reason), so one
line tells what a request asked and what it did. Outside a request (a command,
a test calling a use case), an event is a line of its own, at the same level.
"""

from __future__ import annotations

from http import HTTPStatus

from loguru import logger

from ota_core import Conflict, HoldExpired, OtaError, Reservation
from ota_web.metrics import Metrics
from ota_web.telemetry import annotate

RESERVATION_MADE = "reservation made"
BOOKING_REPLAYED = "booking replayed for a repeated idempotency key"
RESERVATION_CANCELLED = "reservation cancelled"
BOOKING_CONFLICT = "booking conflict"
HOLD_PLACED = "hold placed"
HOLD_CONFIRMED = "hold confirmed"
HOLD_RELEASED = "hold released"
HOLD_EXPIRED = "confirmation of an expired hold refused"
STAY_CHANGED = "reservation dates changed"


def _stay_fields(reservation: Reservation) -> dict[str, object]:
    """The reservation's ids and stay, as values: the log line writes them as text."""
    stay = reservation.stay
    return {
        "reservation_id": reservation.id,
        "property_id": reservation.property_id,
        "start_date": stay.start,
        "nights": stay.nights,
    }


def _tell(event: str, fields: dict[str, object]) -> None:
    if not annotate(event=event, **fields):
        logger.info(event, **fields)


class DomainEvents:
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def reservation_made(self, reservation: Reservation) -> None:
        self._metrics.reservations_made.inc()
        _tell(RESERVATION_MADE, _stay_fields(reservation))

    def booking_replayed(self, reservation: Reservation) -> None:
        self._metrics.booking_replays.inc()
        _tell(BOOKING_REPLAYED, _stay_fields(reservation))

    def reservation_cancelled(self, reservation: Reservation) -> None:
        self._metrics.reservations_cancelled.inc()
        _tell(RESERVATION_CANCELLED, _stay_fields(reservation))

    def hold_placed(self, hold: Reservation) -> None:
        self._metrics.holds.labels("placed").inc()
        _tell(HOLD_PLACED, _stay_fields(hold) | {"expires_at": hold.expires_at})

    def hold_confirmed(self, reservation: Reservation) -> None:
        self._metrics.holds.labels("confirmed").inc()
        _tell(HOLD_CONFIRMED, _stay_fields(reservation))

    def hold_released(self, hold: Reservation) -> None:
        self._metrics.holds.labels("released").inc()
        _tell(HOLD_RELEASED, _stay_fields(hold))

    def stay_changed(self, reservation: Reservation) -> None:
        self._metrics.stays_changed.inc()
        _tell(STAY_CHANGED, _stay_fields(reservation))

    def request_refused(self, error: OtaError, status: HTTPStatus) -> None:
        if isinstance(error, HoldExpired):
            self._metrics.holds.labels("expired").inc()
            _tell(HOLD_EXPIRED, {"code": error.code, "reason": error.message})
        elif isinstance(error, Conflict):
            self._metrics.booking_conflicts.inc()
            _tell(BOOKING_CONFLICT, {"code": error.code, "reason": error.message})
        elif status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            logger.warning("request failed: {}", error.message, code=error.code)
