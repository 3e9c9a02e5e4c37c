"""Which stays may be searched for and which may be booked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from ota_core.dates import DateRange
from ota_core.errors import PolicyViolation

# The calendar day ends last at UTC-12: until then, somewhere on Earth it is still "today".
LATEST_TIMEZONE_OFFSET = dt.timedelta(hours=12)


def _at_least(minimum: int) -> Any:
    return [attrs.validators.instance_of(int), attrs.validators.ge(minimum)]


def _not_below_min_nights(
    instance: AvailabilityPolicy, _attr: attrs.Attribute[Any], value: int
) -> None:
    if value < instance.min_nights:
        raise ValueError(f"max_nights ({value}) is below min_nights ({instance.min_nights})")


@attrs.frozen
class AvailabilityPolicy:
    """The rules a stay must meet.

    Search accepts any stay whose length is allowed, past dates included;
    booking also requires a start no earlier than today, anywhere on Earth,
    and no later than `booking_horizon_days` from now.
    """

    min_nights: int = attrs.field(default=1, validator=_at_least(1))
    max_nights: int = attrs.field(default=365, validator=[*_at_least(1), _not_below_min_nights])
    booking_horizon_days: int = attrs.field(default=3 * 365, validator=_at_least(0))

    def check_search(self, stay: DateRange) -> None:
        self._check_length(stay)

    def check_booking(self, stay: DateRange, now: dt.datetime) -> None:
        self._check_length(stay)
        earliest = self.earliest_start(now)
        if stay.start < earliest:
            raise PolicyViolation(
                f"start_date {stay.start.isoformat()} is in the past", field="start_date"
            )
        latest = earliest + dt.timedelta(days=self.booking_horizon_days)
        if stay.start > latest:
            raise PolicyViolation(
                f"start_date {stay.start.isoformat()} is more than "
                f"{self.booking_horizon_days} days ahead",
                field="start_date",
            )

    @staticmethod
    def earliest_start(now: dt.datetime) -> dt.date:
        """The earliest start date still in the future for some guest on Earth."""
        return (now.astimezone(dt.UTC) - LATEST_TIMEZONE_OFFSET).date()

    def _check_length(self, stay: DateRange) -> None:
        if not self.min_nights <= stay.nights <= self.max_nights:
            raise PolicyViolation(
                f"nights must be from {self.min_nights} to {self.max_nights}, got {stay.nights}",
                field="nights",
            )
