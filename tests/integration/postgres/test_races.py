"""Many requests at once through `MakeReservation` on PostgreSQL: the constraint decides."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

import sqlalchemy as sa

from ota_adapters.clock import FixedClock
from ota_adapters.ids import UuidV7Generator
from ota_adapters.postgres import PostgresUnitOfWork
from ota_core import (
    AvailabilityPolicy,
    DatesUnavailable,
    MakeReservation,
    Reservation,
    ReservationRequest,
    UnitOfWork,
)
from tests.builders import GUEST, RECORDED_AT, a_property, a_reservation, day, stay

RACERS = 100

T = TypeVar("T")


def _reserve(engine: sa.Engine) -> Callable[..., Reservation]:
    """Book through `MakeReservation` over `engine`; returns the reservation it reports."""
    use_case = MakeReservation(
        partial(PostgresUnitOfWork, engine), AvailabilityPolicy(), FixedClock(RECORDED_AT),
        UuidV7Generator(),
    )  # fmt: skip

    def book(request: ReservationRequest, idempotency_key: str | None = None) -> Reservation:
        return use_case.execute(request, GUEST, idempotency_key=idempotency_key).reservation

    return book


def _given_properties(engine: sa.Engine, *property_ids: str) -> None:
    with PostgresUnitOfWork(engine) as work:
        for property_id in property_ids:
            work.properties.add(a_property(property_id))
        work.commit()


def _all_at_once(attempts: list[Callable[[], T]]) -> list[T | Exception]:
    start_together = threading.Barrier(len(attempts))

    def run(attempt: Callable[[], T]) -> T | Exception:
        start_together.wait()
        try:
            return attempt()
        except Exception as error:  # the outcome under test
            return error

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(run, attempts))


def _outcomes(results: list[Reservation | Exception]) -> Counter[str]:
    return Counter(type(result).__name__ for result in results)


def _stored(engine: sa.Engine) -> list[tuple[str, dt.date, int]]:
    with engine.connect() as connection:
        query = "SELECT property_id, start_date, number_of_nights FROM reservation ORDER BY 2"
        return [tuple(row) for row in connection.execute(sa.text(query))]  # type: ignore[misc]


def test_of_a_hundred_bookings_of_the_same_nights_exactly_one_is_made(
    engine: sa.Engine, logged_warnings: list[str]
) -> None:
    _given_properties(engine, "P1")
    reserve = _reserve(engine)
    request = ReservationRequest.of("P1", day(10), 3)

    results = _all_at_once([partial(reserve, request)] * RACERS)

    assert _outcomes(results) == Counter(Reservation=1, DatesUnavailable=RACERS - 1)
    assert _stored(engine) == [("P1", day(10), 3)]
    assert logged_warnings == []


def test_overlapping_but_different_bookings_never_both_succeed(
    engine: sa.Engine, logged_warnings: list[str]
) -> None:
    _given_properties(engine, "P1")
    reserve = _reserve(engine)
    requests = [ReservationRequest.of("P1", day(offset), 3) for offset in range(RACERS)]

    results = _all_at_once([partial(reserve, request) for request in requests])

    made = [result.stay for result in results if isinstance(result, Reservation)]
    assert _outcomes(results) == Counter(Reservation=len(made), DatesUnavailable=RACERS - len(made))
    assert len(made) >= 1
    assert len(_stored(engine)) == len(made)
    assert not any(a.overlaps(b) for i, a in enumerate(made) for b in made[i + 1 :])
    assert logged_warnings == [], "bookings of one property queue: no deadlock, no retry"


def test_concurrent_requests_with_one_idempotency_key_make_one_reservation(
    engine: sa.Engine,
) -> None:
    _given_properties(engine, "P1")
    reserve = _reserve(engine)
    request = ReservationRequest.of("P1", day(10), 3)
    same_key = partial(reserve, request, idempotency_key="key-1")

    results = _all_at_once([same_key] * 10)

    assert all(isinstance(result, Reservation) for result in results), results
    assert len({result.id for result in results if isinstance(result, Reservation)}) == 1
    assert _stored(engine) == [("P1", day(10), 3)]


def test_crossing_bookings_that_deadlock_end_in_a_refusal_not_an_error(
    engine: sa.Engine, logged_warnings: list[str]
) -> None:
    """Each unit of work books one property, then the other's: a lock cycle.

    The use cases never book twice in one unit of work, but nothing stops a
    caller. PostgreSQL breaks the cycle by failing one booking (40P01), which
    the adapter reports as a refusal of that booking, without trying it again.
    """
    _given_properties(engine, "P1", "P2")
    both_booked_one = threading.Barrier(2)

    def book(first: Reservation, then: Reservation) -> None:
        work: UnitOfWork
        with PostgresUnitOfWork(engine) as work:
            work.reservations.add(first)
            both_booked_one.wait()
            work.reservations.add(then)
            work.commit()

    one = a_reservation("P1", stay(0, 3)), a_reservation("P2", stay(0, 3))
    other = a_reservation("P2", stay(1, 3)), a_reservation("P1", stay(1, 3))

    results = _all_at_once([lambda: book(*one), lambda: book(*other)])

    assert sorted(type(result).__name__ for result in results) == ["DatesUnavailable", "NoneType"]
    assert len(_stored(engine)) == 2
    assert isinstance(next(r for r in results if r is not None), DatesUnavailable)
    assert logged_warnings == []
