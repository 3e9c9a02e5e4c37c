"""Holds: reservations that take their nights until they expire, and not a moment longer."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from ota_core import (
    DatesUnavailable,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    PropertyId,
    Reservation,
    ReservationId,
    UnitOfWorkFactory,
)
from tests.builders import GUEST, RECORDED_AT, a_hold, a_property, a_reservation, stay

EXPIRY = RECORDED_AT + dt.timedelta(minutes=10)
BEFORE_EXPIRY = EXPIRY - dt.timedelta(microseconds=1)


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


def _get(uow: UnitOfWorkFactory, reservation_id: ReservationId) -> Reservation | None:
    with uow() as work:
        return work.reservations.get(reservation_id)


def _made_at(reservation: Reservation, now: dt.datetime) -> Reservation:
    return attrs.evolve(reservation, created_at=now)


def _free_at(uow: UnitOfWorkFactory, now: dt.datetime, nights: tuple[int, int]) -> list[str]:
    with uow() as work:
        found = work.properties.list_free(stay(*nights), after=None, limit=10, now=now)
        return [p.id for p in found]


def test_a_hold_reads_back_with_its_expiry(uow: UnitOfWorkFactory) -> None:
    hold = a_hold("P1", stay(0, 3), expires_at=EXPIRY)
    _add(uow, hold)
    assert _get(uow, hold.id) == hold


def test_a_live_hold_refuses_an_overlapping_stay(uow: UnitOfWorkFactory) -> None:
    _add(uow, a_hold("P1", stay(0, 3), expires_at=EXPIRY))
    clash = _made_at(a_reservation("P1", stay(2, 2)), BEFORE_EXPIRY)
    with pytest.raises(DatesUnavailable):
        _add(uow, clash)
    with pytest.raises(DatesUnavailable):
        _add(uow, _made_at(a_hold("P1", stay(1, 1), expires_at=EXPIRY), BEFORE_EXPIRY))
    assert _get(uow, clash.id) is None


def test_an_expired_hold_gives_way_and_goes(uow: UnitOfWorkFactory) -> None:
    hold = a_hold("P1", stay(0, 3), expires_at=EXPIRY)
    _add(uow, hold)
    booking = _made_at(a_reservation("P1", stay(2, 2)), EXPIRY)
    _add(uow, booking)
    assert _get(uow, booking.id) == booking
    assert _get(uow, hold.id) is None


def test_an_expired_hold_apart_from_the_stay_is_left_alone(uow: UnitOfWorkFactory) -> None:
    hold, elsewhere = a_hold("P1", stay(0, 3), expires_at=EXPIRY), a_hold("P2", stay(0, 3))
    _add(uow, hold, attrs.evolve(elsewhere, expires_at=EXPIRY))
    _add(uow, _made_at(a_reservation("P1", stay(3, 2)), EXPIRY))
    assert _get(uow, hold.id) == hold
    assert _get(uow, elsewhere.id) is not None


def test_search_leaves_out_a_property_while_its_hold_lives(uow: UnitOfWorkFactory) -> None:
    _add(uow, a_hold("P1", stay(0, 3), expires_at=EXPIRY))
    assert _free_at(uow, BEFORE_EXPIRY, (1, 1)) == ["P2"]
    assert _free_at(uow, EXPIRY, (1, 1)) == ["P1", "P2"]


def test_a_confirmed_hold_takes_its_nights_for_good(uow: UnitOfWorkFactory) -> None:
    hold = a_hold("P1", stay(0, 3), expires_at=EXPIRY)
    _add(uow, hold)
    with uow() as work:
        work.reservations.save(hold.confirm())
        work.commit()
    assert _get(uow, hold.id) == hold.confirm()
    later = EXPIRY + dt.timedelta(days=1)
    assert _free_at(uow, later, (1, 1)) == ["P2"]
    with pytest.raises(DatesUnavailable):
        _add(uow, _made_at(a_reservation("P1", stay(1, 1)), later))


def test_a_released_hold_takes_no_nights(uow: UnitOfWorkFactory) -> None:
    hold = a_hold("P1", stay(0, 3), expires_at=EXPIRY)
    _add(uow, hold)
    with uow() as work:
        work.reservations.save(hold.cancel())
        work.commit()
    assert _free_at(uow, RECORDED_AT, (1, 1)) == ["P1", "P2"]
    _add(uow, a_reservation("P1", stay(1, 1)))


def test_expired_holds_are_forgotten_in_batches(uow: UnitOfWorkFactory) -> None:
    expired = [a_hold("P1", stay(3 * n, 2), expires_at=EXPIRY) for n in range(3)]
    live = a_hold("P2", stay(0, 2), expires_at=EXPIRY + dt.timedelta(seconds=1))
    booking = a_reservation("P2", stay(5, 2))
    _add(uow, *expired, live, booking)
    with uow() as work:
        assert work.reservations.forget_holds_expired_by(BEFORE_EXPIRY, 2) == 0
        work.commit()
    with uow() as work:
        assert work.reservations.forget_holds_expired_by(EXPIRY, 2) == 2
        assert work.reservations.forget_holds_expired_by(EXPIRY, 2) == 1
        work.commit()
    assert [_get(uow, h.id) for h in expired] == [None, None, None]
    assert _get(uow, live.id) == live
    assert _get(uow, booking.id) == booking


def test_a_key_recorded_for_a_stored_reservation_reads_back_once(
    uow: UnitOfWorkFactory,
) -> None:
    hold = a_hold("P1", stay(0, 3))
    _add(uow, hold)
    record = IdempotencyRecord(GUEST, "key-1", "confirm", hold.id, RECORDED_AT)
    with uow() as work:
        work.idempotency_keys.add(record)
        work.commit()
    with uow() as work:
        assert work.idempotency_keys.get(GUEST, "key-1") == record
        with pytest.raises(IdempotencyKeyTaken):
            work.idempotency_keys.add(attrs.evolve(record, fingerprint="another"))


def test_a_hold_of_another_property_is_no_obstacle(uow: UnitOfWorkFactory) -> None:
    _add(uow, a_hold("P1", stay(0, 3), expires_at=EXPIRY))
    other = _made_at(a_reservation("P2", stay(0, 3)), BEFORE_EXPIRY)
    _add(uow, other)
    assert _get(uow, other.id) == other
    assert PropertyId("P2") == other.property_id
