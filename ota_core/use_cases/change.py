"""Changing a reservation's dates."""

from __future__ import annotations

import datetime as dt

import attrs

from ota_core.dates import DateRange
from ota_core.errors import InvalidRequest, ReservationCancelled
from ota_core.model import Reservation, ReservationId
from ota_core.policy import AvailabilityPolicy
from ota_core.ports import Clock, UnitOfWorkFactory
from ota_core.principal import Principal
from ota_core.use_cases.manage import owned_reservation


@attrs.frozen
class StayChange:
    """A new start, a new length, or both; what is not given stays as it was."""

    start: dt.date | None = None
    nights: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.start is None and self.nights is None:
            raise InvalidRequest("give start_date, nights or both", field="body")

    def applied_to(self, stay: DateRange) -> DateRange:
        start = stay.start if self.start is None else self.start
        return DateRange.from_nights(start, stay.nights if self.nights is None else self.nights)


class ChangeStay:
    """Moves the owner's confirmed reservation to new nights, or leaves it as it was.

    One unit of work: the reservation keeps its old nights until the new ones
    are taken, and may overlap them. The policy applies to the new stay.
    """

    def __init__(self, uow: UnitOfWorkFactory, policy: AvailabilityPolicy, clock: Clock) -> None:
        self._uow = uow
        self._policy = policy
        self._clock = clock

    def execute(
        self, reservation_id: ReservationId, owner: Principal, change: StayChange
    ) -> Reservation:
        now = self._clock.now()
        with self._uow() as uow:
            reservation = owned_reservation(uow, reservation_id, owner)
            if not reservation.is_confirmed:
                raise ReservationCancelled.of(reservation_id)
            stay = change.applied_to(reservation.stay)
            self._policy.check_booking(stay, now)
            if stay == reservation.stay:
                return reservation
            moved = reservation.moved_to(stay)
            uow.reservations.move(moved, now=now)
            uow.commit()
        return moved
