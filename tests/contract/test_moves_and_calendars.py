"""Moving a stay to other nights, and a property's calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from ota_core import (
    LONGEST_STAY_NIGHTS,
    Calendar,
    DateRange,
    DatesUnavailable,
    PolicyViolation,
    PropertyId,
    Reservation,
    ReservationNotFound,
    UnitOfWorkFactory,
)
from tests.builders import RECORDED_AT, a_hold, a_property, a_reservation, day, stay

EXPIRY = RECORDED_AT + dt.timedelta(minutes=10)


@pytest.fixture(autouse=True)
def _given_properties(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        work.properties.add(a_property("P1"))
        work.properties.add(a_property("P2"))
        work.commit()


def _add(uow: UnitOfWorkFactory, *reservations: Reservation) -> None:
    with uow() as work:
        for reservation in reservations:
            work.reservations.add(reservation)
        work.commit()


def _move(uow: UnitOfWorkFactory, moved: Reservation, now: dt.datetime = RECORDED_AT) -> None:
    with uow() as work:
        work.reservations.move(moved, now=now)
        work.commit()


def _stay_of(uow: UnitOfWorkFactory, reservation: Reservation) -> DateRange | None:
    with uow() as work:
        found = work.reservations.get(reservation.id)
        return None if found is None else found.stay


def _calendar(
    uow: UnitOfWorkFactory, property_id: str, window: DateRange, now: dt.datetime = RECORDED_AT
) -> Calendar | None:
    with uow() as work:
        return work.properties.calendar(PropertyId(property_id), window, now=now)


def test_a_stay_moves_over_its_own_nights(uow: UnitOfWorkFactory) -> None:
    booking = a_reservation("P1", stay(0, 4))
    _add(uow, booking)
    _move(uow, booking.moved_to(stay(2, 4)))
    assert _stay_of(uow, booking) == stay(2, 4)


def test_a_move_onto_nights_another_holds_changes_nothing(uow: UnitOfWorkFactory) -> None:
    booking, other, hold = (a_reservation("P1", stay(0, 2)), a_reservation("P1", stay(5, 2)),
                            a_hold("P1", stay(10, 2), expires_at=EXPIRY))  # fmt: skip
    _add(uow, booking, other, hold)
    for taken in (stay(1, 5), stay(9, 2)):
        with pytest.raises(DatesUnavailable):
            _move(uow, booking.moved_to(taken))
        assert _stay_of(uow, booking) == stay(0, 2)


def test_a_move_deletes_the_expired_holds_in_its_way(uow: UnitOfWorkFactory) -> None:
    booking, hold = a_reservation("P1", stay(0, 2)), a_hold("P1", stay(3, 2), expires_at=EXPIRY)
    _add(uow, booking, hold)
    _move(uow, booking.moved_to(stay(2, 3)), now=EXPIRY)
    assert _stay_of(uow, booking) == stay(2, 3)
    assert _stay_of(uow, hold) is None


def test_a_move_of_an_unknown_reservation_is_refused(uow: UnitOfWorkFactory) -> None:
    with pytest.raises(ReservationNotFound):
        _move(uow, a_reservation("P1", stay(0, 2)))


def test_a_move_to_a_stay_longer_than_any_stored_is_refused(uow: UnitOfWorkFactory) -> None:
    booking = a_reservation("P1", stay(0, 2))
    _add(uow, booking)
    with pytest.raises(PolicyViolation):
        _move(uow, booking.moved_to(DateRange.from_nights(day(0), LONGEST_STAY_NIGHTS + 1)))
    assert _stay_of(uow, booking) == stay(0, 2)


def test_the_calendar_of_an_unknown_property_is_none(uow: UnitOfWorkFactory) -> None:
    assert _calendar(uow, "nowhere", stay(0, 30)) is None


def test_an_empty_calendar_is_one_free_range(uow: UnitOfWorkFactory) -> None:
    calendar = _calendar(uow, "P1", stay(0, 30))
    assert calendar == Calendar(stay(0, 30), ())
    assert calendar is not None
    assert calendar.free == (stay(0, 30),)


def test_the_calendar_merges_clips_and_hides_whose(uow: UnitOfWorkFactory) -> None:
    _add(uow, a_reservation("P1", stay(-3, 5)), a_reservation("P1", stay(2, 3)),
         a_hold("P1", stay(5, 2), expires_at=EXPIRY), a_reservation("P1", stay(10, 2)),
         a_reservation("P1", stay(28, 5)), a_reservation("P2", stay(14, 2)))  # fmt: skip
    calendar = _calendar(uow, "P1", stay(0, 30))
    assert calendar is not None
    assert calendar.taken == (stay(0, 7), stay(10, 2), stay(28, 2))
    assert calendar.free == (stay(7, 3), stay(12, 16))


def test_the_calendar_leaves_out_expired_holds_and_cancelled_stays(
    uow: UnitOfWorkFactory,
) -> None:
    cancelled = a_reservation("P1", stay(10, 2))
    _add(uow, a_hold("P1", stay(0, 2), expires_at=EXPIRY), cancelled)
    with uow() as work:
        work.reservations.save(cancelled.cancel())
        work.commit()
    assert _calendar(uow, "P1", stay(0, 30), now=EXPIRY) == Calendar(stay(0, 30), ())
    live = _calendar(uow, "P1", stay(0, 30), now=EXPIRY - dt.timedelta(seconds=1))
    assert live == Calendar(stay(0, 30), (stay(0, 2),))
