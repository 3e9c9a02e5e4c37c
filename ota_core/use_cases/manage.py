"""Looking up and cancelling a reservation."""

from __future__ import annotations

from ota_core.errors import ReservationNotFound
from ota_core.model import Reservation, ReservationId
from ota_core.ports import ReadOnlyUnitOfWork, ReadOnlyUnitOfWorkFactory, UnitOfWorkFactory


def _existing(uow: ReadOnlyUnitOfWork, reservation_id: ReservationId) -> Reservation:
    reservation = uow.reservations.get(reservation_id)
    if reservation is None:
        raise ReservationNotFound.of(reservation_id)
    return reservation


class GetReservation:
    def __init__(self, uow: ReadOnlyUnitOfWorkFactory) -> None:
        self._uow = uow

    def execute(self, reservation_id: ReservationId) -> Reservation:
        with self._uow() as uow:
            return _existing(uow, reservation_id)


class CancelReservation:
    """Cancels a reservation, freeing its nights; cancelling twice changes nothing.

    The read, the check and the change are one unit of work: of many requests
    cancelling one reservation at once, one cancels it and the others find it cancelled.
    """

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def execute(self, reservation_id: ReservationId) -> Reservation:
        with self._uow() as uow:
            reservation = _existing(uow, reservation_id)
            if not reservation.is_confirmed:
                return reservation
            cancelled = reservation.cancel()
            uow.reservations.save(cancelled)
            uow.commit()
        return cancelled
