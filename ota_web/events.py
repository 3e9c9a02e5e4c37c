"""What happened to reservations: one log line with the ids and a metric each."""

from __future__ import annotations

from http import HTTPStatus

from loguru import logger

from ota_core import Conflict, OtaError, Reservation
from ota_web.metrics import Metrics


def _stay_fields(reservation: Reservation) -> dict[str, str | int]:
    return {
        "reservation_id": str(reservation.id),
        "property_id": reservation.property_id,
        "start_date": reservation.stay.start.isoformat(),
        "nights": reservation.stay.nights,
    }


class DomainEvents:
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def reservation_made(self, reservation: Reservation) -> None:
        self._metrics.reservations_made.inc()
        logger.info("reservation made", **_stay_fields(reservation))

    def booking_replayed(self, reservation: Reservation) -> None:
        self._metrics.booking_replays.inc()
        logger.info("booking replayed for a repeated idempotency key", **_stay_fields(reservation))

    def reservation_cancelled(self, reservation: Reservation) -> None:
        self._metrics.reservations_cancelled.inc()
        logger.info("reservation cancelled", **_stay_fields(reservation))

    def request_refused(self, error: OtaError, status: HTTPStatus) -> None:
        if isinstance(error, Conflict):
            self._metrics.booking_conflicts.inc()
            logger.info("booking conflict: {}", error.message, code=error.code)
        elif status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            logger.warning("request failed: {}", error.message, code=error.code)
