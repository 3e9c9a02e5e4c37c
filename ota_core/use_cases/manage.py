"""Looking up and cancelling a reservation."""

from __future__ import annotations

from ota_core.errors import ReservationNotFound
from ota_core.model import Reservation, ReservationId
from ota_core.ports import ReadOnlyUnitOfWork, ReadOnlyUnitOfWorkFactory, UnitOfWorkFactory


def existing_reservation(uow: ReadOnlyUnitOfWork, reservation_id: ReservationId) -> Reservation:
    """The reservation of `reservation_id`: a hold is none until it is confirmed."""
    reservation = uow.reservations.get(reservation_id)
    if reservation is None or reservation.is_hold:
        raise ReservationNotFound.of(reservation_id)
    return reservation


class GetReservation:
    def __init__(self, uow: ReadOnlyUnitOfWorkFactory) -> None:
        self._uow = uow

    def execute(self, reservation_id: ReservationId) -> Reservation:
        with self._uow() as uow:
            return existing_reservation(uow, reservation_id)


class CancelReservation:
    """Cancels a reservation, freeing its nights; cancelling twice changes nothing.

    The read, the check and the change are one unit of work: of many requests
    cancelling one reservation at once, one cancels it and the others find it cancelled.
    """

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def execute(self, reservation_id: ReservationId) -> Reservation:
        with self._uow() as uow:
            reservation = existing_reservation(uow, reservation_id)
            if not reservation.is_confirmed:
                return reservation
            cancelled = reservation.cancel()
            uow.reservations.save(cancelled)
            uow.commit()
        return cancelled
