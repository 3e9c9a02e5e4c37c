"""Looking up and cancelling one's own reservation."""

from __future__ import annotations

from ota_core.errors import ReservationNotFound
from ota_core.model import PropertyId, Reservation, ReservationId
from ota_core.policy import AvailabilityPolicy
from ota_core.ports import Clock, ReadOnlyUnitOfWork, ReadOnlyUnitOfWorkFactory, UnitOfWorkFactory
from ota_core.principal import Principal


def owned_reservation(
    uow: ReadOnlyUnitOfWork,
    reservation_id: ReservationId,
    owner: Principal,
    *,
    property_id: PropertyId | None = None,
) -> Reservation:
    """The reservation, if `owner`'s (and `property_id`'s, if given): else not found, as an
    unknown id, so nothing is revealed.

    A hold is no reservation until it is confirmed.
    """
    reservation = uow.reservations.get_owned(reservation_id, owner, property_id=property_id)
    if reservation is None or reservation.is_hold:
        raise ReservationNotFound.of(reservation_id)
    return reservation


class GetReservation:
    def __init__(self, uow: ReadOnlyUnitOfWorkFactory) -> None:
        self._uow = uow

    def execute(
        self,
        reservation_id: ReservationId,
        owner: Principal,
        *,
        property_id: PropertyId | None = None,
    ) -> Reservation:
        """`owner`'s reservation; with `property_id`, only if it is of that property."""
        with self._uow() as uow:
            return owned_reservation(uow, reservation_id, owner, property_id=property_id)


class CancelReservation:
    """Cancels one's reservation, freeing its nights; cancelling twice changes nothing.

    A stay that has begun is not cancelled (the policy's `check_cancellation`).
    The read, the check and the change are one unit of work: of many requests
    cancelling one reservation at once, one cancels it and the others find it cancelled.
    """

    def __init__(self, uow: UnitOfWorkFactory, policy: AvailabilityPolicy, clock: Clock) -> None:
        self._uow = uow
        self._policy = policy
        self._clock = clock

    def execute(self, reservation_id: ReservationId, owner: Principal) -> Reservation:
        with self._uow() as uow:
            reservation = owned_reservation(uow, reservation_id, owner)
            if not reservation.is_confirmed:
                return reservation
            self._policy.check_cancellation(reservation.stay, self._clock.now())
            cancelled = reservation.cancel()
            uow.reservations.save(cancelled)
            uow.commit()
        return cancelled
