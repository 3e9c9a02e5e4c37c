"""A property's calendar: which nights of a window are taken, which are free."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import attrs

from ota_core.dates import DateRange
from ota_core.errors import InvalidRequest

MAX_CALENDAR_DAYS = 366
"""The longest window a calendar shows: a year, leap day included."""


def calendar_window(start: dt.date, end: dt.date) -> DateRange:
    """The nights `[start, end)` as a calendar's window, or `InvalidRequest` naming the field."""
    for name, value in (("from", start), ("to", end)):
        if type(value) is not dt.date:
            raise InvalidRequest(f"{name} must be a date, got {value!r}", field=name)
    if end <= start:
        raise InvalidRequest(
            f"to ({end.isoformat()}) must be after from ({start.isoformat()})", field="to"
        )
    if (end - start).days > MAX_CALENDAR_DAYS:
        raise InvalidRequest(
            f"a calendar covers at most {MAX_CALENDAR_DAYS} days, not {(end - start).days}",
            field="to",
        )
    return DateRange(start, end)


def _sorted_apart_within_window(
    instance: Calendar, _attribute: attrs.Attribute[Any], taken: tuple[DateRange, ...]
) -> None:
    window, previous_end = instance.window, None
    for taken_range in taken:
        inside = isinstance(taken_range, DateRange) and (
            window.start <= taken_range.start and taken_range.end <= window.end
        )
        # After the previous range's end, not on it: adjacent ranges are one range.
        if not inside or (previous_end is not None and taken_range.start <= previous_end):
            raise ValueError(f"taken ranges must be sorted, apart and in {window}: {taken}")
        previous_end = taken_range.end


def _by_start(stay: DateRange) -> dt.date:
    return stay.start


@attrs.frozen
class Calendar:
    """The window's nights split into taken ranges and the free ranges between them.

    Taken ranges are merged: two stays back to back are one range, so the
    calendar does not tell one guest's stay from two, or a hold from a booking.
    """

    window: DateRange
    taken: tuple[DateRange, ...] = attrs.field(validator=_sorted_apart_within_window)

    @classmethod
    def of(cls, window: DateRange, stays: Iterable[DateRange]) -> Calendar:
        """The calendar of `window` in which `stays` (any order, any overlap) are taken."""
        merged: list[DateRange] = []
        for stay in sorted((s for s in stays if s.overlaps(window)), key=_by_start):
            clipped = DateRange(max(stay.start, window.start), min(stay.end, window.end))
            if merged and clipped.start <= merged[-1].end:
                last = merged.pop()
                clipped = DateRange(last.start, max(last.end, clipped.end))
            merged.append(clipped)
        return cls(window, tuple(merged))

    @property
    def free(self) -> tuple[DateRange, ...]:
        """The ranges of the window that no taken range covers, in order."""
        gaps: list[DateRange] = []
        edge = self.window.start
        for taken in self.taken:
            if taken.start > edge:
                gaps.append(DateRange(edge, taken.start))
            edge = taken.end
        if edge < self.window.end:
            gaps.append(DateRange(edge, self.window.end))
        return tuple(gaps)

    def is_free(self, stay: DateRange) -> bool:
        """True when every night of `stay` lies in one free range of the window."""
        return any(gap.start <= stay.start and stay.end <= gap.end for gap in self.free)
