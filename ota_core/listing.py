"""What a principal's list of reservations holds: a filter, and where a page starts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from ota_core.errors import InvalidRequest
from ota_core.model import Reservation, ReservationId, ReservationStatus


def _optional_date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) is not dt.date):
        raise TypeError(f"{attribute.name} must be a date or None, got {value!r}")


def _after_window_start(
    instance: ReservationFilter, _attr: attrs.Attribute[Any], value: object
) -> None:
    start = instance.window_start
    if isinstance(value, dt.date) and start is not None and value <= start:
        raise InvalidRequest(f"to ({value}) must be after from ({start})", field="to")


@attrs.frozen
class ReservationFilter:
    """Reservations with `status` (any if None) whose stay overlaps [window_start, window_end).

    Either end of the window may be open (None).
    """

    status: ReservationStatus | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(ReservationStatus)),
    )
    window_start: dt.date | None = attrs.field(default=None, validator=_optional_date)
    window_end: dt.date | None = attrs.field(
        default=None, validator=[_optional_date, _after_window_start]
    )

    def matches(self, reservation: Reservation) -> bool:
        """The filter as a predicate: what every adapter's query selects."""
        stay = reservation.stay
        return (
            (self.status is None or reservation.status is self.status)
            and (self.window_start is None or stay.end > self.window_start)
            and (self.window_end is None or stay.start < self.window_end)
        )


@attrs.frozen(order=True)
class ReservationCursor:
    """A place in a list ordered by start date, then id: the last reservation of a page."""

    start: dt.date = attrs.field(validator=attrs.validators.instance_of(dt.date))
    reservation_id: ReservationId = attrs.field()

    @classmethod
    def of(cls, reservation: Reservation) -> ReservationCursor:
        return cls(reservation.stay.start, reservation.id)

    def precedes(self, reservation: Reservation) -> bool:
        """True when `reservation` comes after this place in the list's order."""
        return (self.start, self.reservation_id) < (reservation.stay.start, reservation.id)
