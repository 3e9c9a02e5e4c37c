"""Racing units of work: one of many overlapping stays is accepted, one cancellation is made."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from unittest import mock

from ota_adapters.clock import FixedClock
from ota_core import (
    AvailabilityPolicy,
    CancelReservation,
    DateRange,
    DatesUnavailable,
    Reservation,
    ReservationStatus,
    UnitOfWork,
    UnitOfWorkFactory,
)
from tests.builders import GUEST, RECORDED_AT, a_property, a_reservation, stay

RACERS = 50


def _race(uow: UnitOfWorkFactory, contenders: list[Reservation]) -> Counter[str]:
    start_together = threading.Barrier(len(contenders))

    def attempt(reservation: Reservation) -> str:
        start_together.wait()
        try:
            with uow() as work:
                work.reservations.add(reservation)
                work.commit()
        except DatesUnavailable:
            return "refused"
        return "accepted"

    with ThreadPoolExecutor(max_workers=len(contenders)) as pool:
        return Counter(pool.map(attempt, contenders))


def _confirmed_stays(uow: UnitOfWorkFactory, contenders: list[Reservation]) -> list[DateRange]:
    with uow() as work:
        found = [work.reservations.get(r.id) for r in contenders]
    return [r.stay for r in found if r is not None and r.is_confirmed]


def _given_property(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        work.properties.add(a_property("P1"))
        work.commit()


def test_of_many_requests_for_the_same_nights_exactly_one_wins(uow: UnitOfWorkFactory) -> None:
    _given_property(uow)
    contenders = [a_reservation("P1", stay(10, 3)) for _ in range(RACERS)]

    outcome = _race(uow, contenders)

    assert outcome == Counter(accepted=1, refused=RACERS - 1)
    assert len(_confirmed_stays(uow, contenders)) == 1


def test_overlapping_but_different_stays_never_both_win(uow: UnitOfWorkFactory) -> None:
    _given_property(uow)
    # Each contender overlaps its neighbours; non-neighbours may both win.
    contenders = [a_reservation("P1", stay(offset, 3)) for offset in range(RACERS)]

    outcome = _race(uow, contenders)

    accepted = _confirmed_stays(uow, contenders)
    assert outcome["accepted"] == len(accepted) >= 1
    assert outcome["refused"] == RACERS - len(accepted)
    for i, first in enumerate(accepted):
        for second in accepted[i + 1 :]:
            assert not first.overlaps(second)


def _counting_saves(uow: UnitOfWorkFactory, saved: Counter[str]) -> UnitOfWorkFactory:
    """`uow`'s units of work, each counting in `saved` the reservations it saves."""

    @contextmanager
    def counted() -> Iterator[UnitOfWork]:
        with uow() as work:
            save = work.reservations.save
            with mock.patch.object(work.reservations, "save", wraps=save) as spy:
                yield work
            saved["saves"] += spy.call_count

    return counted  # type: ignore[return-value]  # used as `with uow() as work:` only


def test_of_many_cancellations_of_one_reservation_exactly_one_cancels_it(
    uow: UnitOfWorkFactory,
) -> None:
    """A read-check-write: each reads the reservation, and saves it only if still confirmed."""
    _given_property(uow)
    booked = a_reservation("P1", stay(10, 3))
    with uow() as work:
        work.reservations.add(booked)
        work.commit()
    saved: Counter[str] = Counter()
    cancel = CancelReservation(
        _counting_saves(uow, saved), AvailabilityPolicy(), FixedClock(RECORDED_AT)
    )
    start_together = threading.Barrier(RACERS)

    def attempt(_: int) -> ReservationStatus:
        start_together.wait()
        return cancel.execute(booked.id, GUEST).status

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        outcome = Counter(pool.map(attempt, range(RACERS)))

    assert outcome == Counter({ReservationStatus.CANCELLED: RACERS})
    assert saved == Counter(saves=1), "the others found it cancelled already"


def _cancel_while_booking(
    uow: UnitOfWorkFactory, held: Reservation, contenders: list[Reservation]
) -> tuple[ReservationStatus, Counter[str]]:
    """Cancels `held` while `contenders` book, all started together."""
    start_together = threading.Barrier(len(contenders) + 1)

    def cancel_held() -> ReservationStatus:
        start_together.wait()
        cancel = CancelReservation(uow, AvailabilityPolicy(), FixedClock(RECORDED_AT))
        return cancel.execute(held.id, GUEST).status

    def book(reservation: Reservation) -> str:
        start_together.wait()
        try:
            with uow() as work:
                work.reservations.add(reservation)
                work.commit()
        except DatesUnavailable:
            return "refused"
        return "accepted"

    with ThreadPoolExecutor(max_workers=len(contenders) + 1) as pool:
        cancelled = pool.submit(cancel_held)
        outcome = Counter(pool.map(book, contenders))
        return cancelled.result(), outcome


def test_a_cancellation_racing_bookings_of_its_nights_leaves_one_state_of_them(
    uow: UnitOfWorkFactory,
) -> None:
    """The cancellation frees the nights while bookings of them wait for it: it never
    fails, at most one booking takes the nights, and search sees them taken or free."""
    _given_property(uow)
    for round_ in range(10):
        held = a_reservation("P1", stay(20 * round_, 5))
        with uow() as work:
            work.reservations.add(held)
            work.commit()
        contenders = [a_reservation("P1", stay(20 * round_ + 2, 5)) for _ in range(8)]

        status, outcome = _cancel_while_booking(uow, held, contenders)

        assert status == ReservationStatus.CANCELLED
        assert outcome["accepted"] == len(_confirmed_stays(uow, contenders)) <= 1
        with uow() as work:
            free = work.properties.list_free(
                stay(20 * round_, 9), after=None, limit=1, now=RECORDED_AT
            )
        assert [p.id for p in free] == ([] if outcome["accepted"] else ["P1"])
