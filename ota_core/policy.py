"""Which stays may be searched for and which may be booked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from ota_core.dates import DateRange
from ota_core.errors import PolicyViolation, StayAlreadyBegun

# The calendar day ends last at UTC-12: until then, somewhere on Earth it is still "today".
LATEST_TIMEZONE_OFFSET = dt.timedelta(hours=12)

LONGEST_STAY_NIGHTS = 365
"""The longest stay the service stores, whatever a policy allows.

Storage refuses longer stays, and search relies on that: a stay that overlaps the
one asked for starts at most this many nights before it ends.
"""


def check_stay_length(
    stay: DateRange, shortest: int = 1, longest: int = LONGEST_STAY_NIGHTS
) -> None:
    """Refuse (`PolicyViolation`) a stay of fewer than `shortest` or more than `longest` nights."""
    if not shortest <= stay.nights <= longest:
        raise PolicyViolation(
            f"nights must be from {shortest} to {longest}, got {stay.nights}", field="nights"
        )


def check_policy_fits(policy: AvailabilityPolicy) -> None:
    """Refuse (`ValueError`) a policy that would accept stays longer than the service stores."""
    if policy.max_nights > LONGEST_STAY_NIGHTS:
        raise ValueError(
            f"max_nights {policy.max_nights} is above {LONGEST_STAY_NIGHTS}, "
            "the longest stay the service stores"
        )


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
    and no later than `booking_horizon_days` from now; cancelling requires a
    stay that has not begun.
    """

    min_nights: int = attrs.field(default=1, validator=_at_least(1))
    max_nights: int = attrs.field(
        default=LONGEST_STAY_NIGHTS, validator=[*_at_least(1), _not_below_min_nights]
    )
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
    def check_cancellation(stay: DateRange, now: dt.datetime) -> None:
        """Refuse (`StayAlreadyBegun`) to cancel a stay that starts today (UTC) or earlier."""
        today = now.astimezone(dt.UTC).date()
        if stay.start <= today:
            raise StayAlreadyBegun(
                f"the stay began on {stay.start.isoformat()}: it can no longer be cancelled"
            )

    @staticmethod
    def earliest_start(now: dt.datetime) -> dt.date:
        """The earliest start date still in the future for some guest on Earth."""
        return (now.astimezone(dt.UTC) - LATEST_TIMEZONE_OFFSET).date()

    def _check_length(self, stay: DateRange) -> None:
        check_stay_length(stay, self.min_nights, self.max_nights)
