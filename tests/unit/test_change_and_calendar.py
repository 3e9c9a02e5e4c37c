"""Changing a stay's dates, and reading a property's calendar, through the use cases."""

from __future__ import annotations

import datetime as dt

import pytest

from ota_core import (
    Calendar,
    DateRange,
    DatesUnavailable,
    InvalidRequest,
    PolicyViolation,
    PropertyId,
    PropertyNotFound,
    ReservationCancelled,
    ReservationNotFound,
    ReservationRequest,
    StayChange,
    calendar_window,
)
from tests.builders import GUEST, OTHER_GUEST
from tests.unit.conftest import HOLD_TTL, Service

CONDO = PropertyId("g3hbWxJ5TdXidt")


def _nights(start: int, nights: int) -> DateRange:
    return DateRange.from_nights(dt.date(2021, 2, 1) + dt.timedelta(days=start), nights)


def _request(start: int, nights: int) -> ReservationRequest:
    return ReservationRequest(CONDO, _nights(start, nights))


def test_a_stay_moves_onto_nights_that_overlap_its_own(service: Service) -> None:
    booked = service.book(_request(0, 4))
    moved = service.change.execute(booked.id, GUEST, StayChange(start=_nights(2, 1).start))
    assert moved.stay == _nights(2, 4)
    assert service.get.execute(booked.id, GUEST) == moved
    assert service.change.execute(booked.id, GUEST, StayChange(nights=2)).stay == _nights(2, 2)


def test_a_change_onto_taken_nights_leaves_the_stay_as_it_was(service: Service) -> None:
    booked = service.book(_request(0, 2))
    service.hold.execute(_request(5, 2), GUEST)
    with pytest.raises(DatesUnavailable):
        service.change.execute(booked.id, GUEST, StayChange(nights=6))
    assert service.get.execute(booked.id, GUEST) == booked
    service.clock.advance(HOLD_TTL)
    assert service.change.execute(booked.id, GUEST, StayChange(nights=6)).stay == _nights(0, 6)


def test_the_policy_applies_to_the_new_stay(service: Service) -> None:
    booked = service.book(_request(0, 2))
    with pytest.raises(PolicyViolation):
        service.change.execute(booked.id, GUEST, StayChange(start=dt.date(2020, 1, 1)))


def test_a_cancelled_or_unknown_reservation_cannot_change(service: Service) -> None:
    booked = service.book(_request(0, 2))
    service.cancel.execute(booked.id, GUEST)
    with pytest.raises(ReservationCancelled):
        service.change.execute(booked.id, GUEST, StayChange(nights=3))
    hold = service.hold.execute(_request(5, 2), GUEST)
    with pytest.raises(ReservationNotFound):
        service.change.execute(hold.id, GUEST, StayChange(nights=3))


def test_only_the_owner_changes_a_reservation(service: Service) -> None:
    booked = service.book(_request(0, 2))
    with pytest.raises(ReservationNotFound):
        service.change.execute(booked.id, OTHER_GUEST, StayChange(nights=3))
    assert service.get.execute(booked.id, GUEST) == booked


def test_a_change_must_change_something() -> None:
    with pytest.raises(InvalidRequest, match="start_date, nights or both"):
        StayChange()


def test_the_calendar_shows_bookings_and_live_holds_alike(service: Service) -> None:
    service.book(_request(0, 2))
    service.hold.execute(_request(2, 3), GUEST)
    window = _nights(0, 10)
    assert service.calendar.execute(CONDO, window) == Calendar(window, (_nights(0, 5),))
    service.clock.advance(HOLD_TTL)
    calendar = service.calendar.execute(CONDO, window)
    assert calendar.taken == (_nights(0, 2),)
    assert calendar.free == (_nights(2, 8),)


def test_the_calendar_of_an_unknown_property_is_not_found(service: Service) -> None:
    with pytest.raises(PropertyNotFound):
        service.calendar.execute(PropertyId("nowhere"), _nights(0, 10))


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (dt.date(2021, 1, 2), dt.date(2021, 1, 2), "to"),
        (dt.date(2021, 1, 2), dt.date(2021, 1, 1), "to"),
        (dt.date(2021, 1, 1), dt.date(2022, 1, 3), "to"),
    ],
)
def test_a_bad_window_names_the_field(start: dt.date, end: dt.date, field: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        calendar_window(start, end)
    assert refused.value.field == field


def test_a_window_of_366_days_is_the_longest() -> None:
    assert calendar_window(dt.date(2024, 1, 1), dt.date(2025, 1, 1)).nights == 366
