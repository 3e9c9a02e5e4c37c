"""Stays as half-open date ranges: the nights `[start, end)`, `end` being checkout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs

from ota_core.errors import InvalidStay


def _plain_date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _check_plain_date(attribute.name, value)


def _check_plain_date(name: str, value: object) -> None:
    # `datetime` is a subclass of `date`; a stay is made of calendar days only.
    if type(value) is not dt.date:
        raise InvalidStay(f"{name} must be a date, got {value!r}", field=name)


def _after_start(instance: DateRange, _attribute: attrs.Attribute[Any], end: dt.date) -> None:
    if end <= instance.start:
        raise InvalidStay(
            f"a stay must end after it starts: {end.isoformat()} "
            f"is not after {instance.start.isoformat()}",
            field="nights",
        )


@attrs.frozen
class DateRange:
    """The nights from `start` up to, not including, `end`.

    Checkout day `end` is free for the next guest, so back-to-back stays
    (one ending on the day the next starts) do not overlap.
    """

    start: dt.date = attrs.field(validator=_plain_date)
    end: dt.date = attrs.field(validator=[_plain_date, _after_start])

    @classmethod
    def from_nights(cls, start: dt.date, nights: int) -> DateRange:
        if type(nights) is not int:
            raise InvalidStay(f"nights must be a whole number, got {nights!r}", field="nights")
        if nights < 1:
            raise InvalidStay(f"nights must be at least 1, got {nights}", field="nights")
        _check_plain_date("start", start)
        try:
            end = start + dt.timedelta(days=nights)
        except OverflowError:
            raise InvalidStay(
                f"a stay of {nights} nights from {start.isoformat()} "
                f"would end after {dt.date.max.isoformat()}",
                field="nights",
            ) from None
        return cls(start, end)

    @property
    def nights(self) -> int:
        return (self.end - self.start).days

    def overlaps(self, other: DateRange) -> bool:
        """True when the two ranges share at least one night."""
        return self.start < other.end and other.start < self.end

    def contains(self, day: dt.date) -> bool:
        """True when the night of `day` is part of the range."""
        return self.start <= day < self.end

    def each_night(self) -> Iterator[dt.date]:
        """The date of each night of the range, in order."""
        for offset in range(self.nights):
            yield self.start + dt.timedelta(days=offset)

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"
