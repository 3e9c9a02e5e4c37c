"""Idempotency keys: claimed with a booking, once, and forgotten once old enough."""

from __future__ import annotations

import datetime as dt

import pytest

from ota_core import (
    DatesUnavailable,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    Principal,
    Reservation,
    UnitOfWorkFactory,
    UnknownProperty,
)
from tests.builders import GUEST, OTHER_GUEST, RECORDED_AT, a_property, a_reservation, stay

HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _given_property(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        work.properties.add(a_property("P1"))
        work.commit()


def _claim(
    reservation: Reservation, key: str = "key-1", hours_ago: int = 0, principal: Principal = GUEST
) -> IdempotencyRecord:
    """The record of `principal`'s request with `key` that books `reservation`."""
    recorded_at = RECORDED_AT - hours_ago * HOUR
    return IdempotencyRecord(principal, key, f"request {key}", reservation.id, recorded_at)


def _book(uow: UnitOfWorkFactory, reservation: Reservation, claim: IdempotencyRecord) -> None:
    with uow() as work:
        work.reservations.add(reservation, idempotency=claim)
        work.commit()


def _book_with_keys(uow: UnitOfWorkFactory, ages: list[int]) -> None:
    """Books a stay with key `key-<n>` recorded `ages[n]` hours before RECORDED_AT, for each n."""
    for n, hours in enumerate(ages):
        reservation = a_reservation("P1", stay(3 * n, 2))
        _book(uow, reservation, _claim(reservation, f"key-{n}", hours))


def _remaining(uow: UnitOfWorkFactory, count: int) -> list[str]:
    with uow() as work:
        return [f"key-{n}" for n in range(count) if work.idempotency_keys.get(GUEST, f"key-{n}")]


def test_a_key_claimed_with_a_booking_reads_back(uow: UnitOfWorkFactory) -> None:
    reservation = a_reservation("P1")
    _book(uow, reservation, _claim(reservation))
    with uow() as work:
        assert work.idempotency_keys.get(GUEST, "key-1") == _claim(reservation)
        assert work.reservations.get(reservation.id) == reservation


def test_an_unclaimed_key_reads_as_none(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        assert work.idempotency_keys.get(GUEST, "never-used") is None


def test_a_key_cannot_be_claimed_twice(uow: UnitOfWorkFactory) -> None:
    first, second = a_reservation("P1", stay(0, 2)), a_reservation("P1", stay(5, 2))
    _book(uow, first, _claim(first))
    with pytest.raises(IdempotencyKeyTaken), uow() as work:
        work.reservations.add(second, idempotency=_claim(second))
    with uow() as work:
        assert work.idempotency_keys.get(GUEST, "key-1") == _claim(first)
        assert work.reservations.get(second.id) is None


@pytest.mark.parametrize(
    ("property_id", "why"),
    [("P1", "the same nights, already booked"), ("nowhere", "an unknown property")],
)
def test_a_taken_key_is_reported_before_what_else_is_wrong(
    uow: UnitOfWorkFactory, property_id: str, why: str
) -> None:
    first = a_reservation("P1", stay(0, 2))
    _book(uow, first, _claim(first))
    again = a_reservation(property_id, stay(0, 2))
    with pytest.raises(IdempotencyKeyTaken), uow() as work:
        work.reservations.add(again, idempotency=_claim(again))


def test_a_refused_booking_claims_no_key(uow: UnitOfWorkFactory) -> None:
    taken, wanted = a_reservation("P1", stay(0, 3)), a_reservation("P1", stay(1, 2))
    _book(uow, taken, _claim(taken, "key-0"))
    orphan = a_reservation("nowhere", stay(0, 1))
    with uow() as work:
        with pytest.raises(DatesUnavailable):
            work.reservations.add(wanted, idempotency=_claim(wanted))
        with pytest.raises(UnknownProperty):
            work.reservations.add(orphan, idempotency=_claim(orphan, "key-2"))
        assert work.idempotency_keys.get(GUEST, "key-1") is None
        assert work.idempotency_keys.get(GUEST, "key-2") is None
        work.commit()
    later = a_reservation("P1", stay(3, 2))
    _book(uow, later, _claim(later))
    assert _remaining(uow, 3) == ["key-0", "key-1"]


def test_records_made_before_the_cutoff_are_forgotten(uow: UnitOfWorkFactory) -> None:
    _book_with_keys(uow, ages=[48, 25, 24, 1])
    with uow() as work:
        forgotten = work.idempotency_keys.forget_recorded_before(RECORDED_AT - 24 * HOUR, 10)
        work.commit()
    assert forgotten == 2
    assert _remaining(uow, 4) == ["key-2", "key-3"]


def test_at_most_limit_records_are_forgotten_at_once(uow: UnitOfWorkFactory) -> None:
    _book_with_keys(uow, ages=[30, 30, 30])
    with uow() as work:
        assert work.idempotency_keys.forget_recorded_before(RECORDED_AT, 2) == 2
        work.commit()
    assert len(_remaining(uow, 3)) == 1


def test_forgetting_is_undone_by_a_rollback(uow: UnitOfWorkFactory) -> None:
    _book_with_keys(uow, ages=[30, 30])
    with uow() as work:
        assert work.idempotency_keys.forget_recorded_before(RECORDED_AT, 10) == 2
    assert _remaining(uow, 2) == ["key-0", "key-1"]


def test_a_forgotten_key_can_be_claimed_again(uow: UnitOfWorkFactory) -> None:
    _book_with_keys(uow, ages=[30])
    again = a_reservation("P1", stay(20, 2))
    with uow() as work:
        work.idempotency_keys.forget_recorded_before(RECORDED_AT, 10)
        work.reservations.add(again, idempotency=_claim(again, "key-0"))
        work.commit()
    with uow() as work:
        assert work.idempotency_keys.get(GUEST, "key-0") == _claim(again, "key-0")


def test_keys_are_each_principals_own(uow: UnitOfWorkFactory) -> None:
    mine, theirs = (
        a_reservation("P1", stay(0, 2)),
        a_reservation("P1", stay(5, 2), owner=OTHER_GUEST),
    )
    _book(uow, mine, _claim(mine))
    _book(uow, theirs, _claim(theirs, principal=OTHER_GUEST))
    with uow() as work:
        assert work.idempotency_keys.get(GUEST, "key-1") == _claim(mine)
        assert work.idempotency_keys.get(OTHER_GUEST, "key-1") == _claim(
            theirs, principal=OTHER_GUEST
        )


def test_a_refused_booking_leaves_another_principals_equal_key_alone(
    uow: UnitOfWorkFactory,
) -> None:
    theirs = a_reservation("P1", stay(0, 3), owner=OTHER_GUEST)
    _book(uow, theirs, _claim(theirs, principal=OTHER_GUEST))
    clash = a_reservation("P1", stay(1, 2))
    with pytest.raises(DatesUnavailable), uow() as work:
        work.reservations.add(clash, idempotency=_claim(clash))
    with uow() as work:
        assert work.idempotency_keys.get(GUEST, "key-1") is None
        assert work.idempotency_keys.get(OTHER_GUEST, "key-1") == _claim(
            theirs, principal=OTHER_GUEST
        )
