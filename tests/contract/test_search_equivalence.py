"""Search equals a brute-force scan of the stays, after any history of writes and clock ticks.

Whatever an adapter keeps to answer quickly (PostgreSQL: each property's free
gaps, kept by triggers, and a probe of live holds), its pages, walked with
their cursor, are those of a scan of every reservation kept here in Python,
by the one rule: a reservation blocks a stay while it occupies its nights at
the clock's `now` (`Reservation.blocks`). Histories book, hold, confirm live
holds, cancel, move bookings to other nights and let time pass, so holds expire
and their nights come back, and expired holds in the way are deleted by writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager

import attrs
from hypothesis import HealthCheck, example, given, settings

from ota_core import DateRange, DatesUnavailable, PropertyId, Reservation
from tests.builders import a_property, a_reservation, stay
from tests.contract.conftest import Factories
from tests.contract.search_histories import PROPERTY_IDS, BruteForce, histories, searches


def _replay(uow: Factories, history: list[tuple[object, ...]], reference: BruteForce) -> None:
    with uow.read_write() as work:
        for property_id in PROPERTY_IDS:
            work.properties.add(a_property(property_id))
        work.commit()
    for kind, *args in history:
        if kind == "tick":
            reference.now += dt.timedelta(minutes=int(str(args[0])))
        elif kind == "search":
            start, nights, limit, after = (str(a) for a in args)
            search = (int(start), int(nights), int(limit), None if after == "None" else after)
            _assert_same_pages(uow, reference, search)
        elif kind in ("book", "hold"):
            property_id, start, nights, ttl = args
            made = attrs.evolve(
                a_reservation(str(property_id), stay(int(str(start)), int(str(nights)))),
                created_at=reference.now,
                expires_at=None
                if ttl is None
                else reference.now + dt.timedelta(minutes=int(str(ttl))),
            )
            _book(uow, made, reference)
        else:
            _change(uow, str(kind), args, reference)


def _change(uow: Factories, kind: str, args: list[object], reference: BruteForce) -> None:
    """Confirm a live hold, cancel what occupies its nights, or move a booking."""
    candidates = reference.occupying(holds=kind == "confirm")
    if kind == "cancel":
        candidates += reference.occupying(holds=True)
    if not candidates:
        return
    chosen = candidates[int(str(args[0])) % len(candidates)]
    if kind == "move":
        _move(uow, chosen, stay(int(str(args[1])), int(str(args[2]))), reference)
        return
    changed = chosen.confirm() if kind == "confirm" else chosen.cancel()
    with uow.read_write() as work:
        stored = work.reservations.get(chosen.id)
        assert stored is not None
        work.reservations.save(changed)
        work.commit()
    reference.replace(chosen, changed)


def _book(uow: Factories, reservation: Reservation, reference: BruteForce) -> None:
    expected = reference.accepts(reservation)
    try:
        with uow.read_write() as work:
            work.reservations.add(reservation)
            work.commit()
    except DatesUnavailable:
        assert not expected
    else:
        assert expected
        reference.kept.append(reservation)


def _move(uow: Factories, booked: Reservation, new: DateRange, reference: BruteForce) -> None:
    moved = booked.moved_to(new)
    expected = reference.accepts(moved)
    try:
        with uow.read_write() as work:
            work.reservations.move(moved, now=reference.now)
            work.commit()
    except DatesUnavailable:
        assert not expected
    else:
        assert expected
        reference.replace(booked, moved)


def _pages(
    uow: Factories, wanted: DateRange, after: str | None, limit: int, now: dt.datetime
) -> list[list[str]]:
    """Every page from the cursor on, each found after the last id of the one before."""
    pages: list[list[str]] = []
    while True:
        with uow.read_only() as work:
            cursor = None if after is None else PropertyId(after)
            found = work.properties.list_free(wanted, after=cursor, limit=limit, now=now)
            page = [p.id for p in found]
        pages.append(page)
        if len(page) < limit:
            return pages
        after = page[-1]


def _reference_pages(
    reference: BruteForce, wanted: DateRange, after: str | None, limit: int
) -> list[list[str]]:
    pages: list[list[str]] = []
    while True:
        page = reference.page(wanted, after, limit)
        pages.append(page)
        if len(page) < limit:
            return pages
        after = page[-1]


Search = tuple[int, int, int, str | None]


def _assert_same_pages(uow: Factories, reference: BruteForce, search: Search) -> None:
    start, nights, limit, after = search
    searched = stay(start, nights)
    assert _pages(uow, searched, after, limit, reference.now) == _reference_pages(
        reference, searched, after, limit
    )


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories, wanted=searches)
# Each on "b", which only the gap stages of PostgreSQL's search reach (budget 2): an
# expired hold, a live one, a confirmed one outliving its expiry, a moved booking, and
# an expired hold deleted by the booking that takes its nights.
@example(history=[("hold", "b", 0, 5, 1), ("tick", 5)], wanted=[(0, 5, 4, None)])
@example(history=[("hold", "b", 0, 5, 30)], wanted=[(0, 5, 4, None)])
@example(history=[("hold", "b", 0, 5, 9), ("confirm", 0), ("tick", 20)], wanted=[(0, 5, 4, None)])
@example(
    history=[("book", "b", 0, 5, None), ("move", 0, 20, 5)],
    wanted=[(0, 5, 4, None), (20, 5, 4, None)],
)
@example(
    history=[("hold", "b", 0, 5, 1), ("tick", 5), ("book", "b", 2, 2, None)],
    wanted=[(0, 5, 4, None), (3, 5, 4, None)],
)
def test_pages_of_search_are_those_of_a_scan_of_every_reservation_at_the_clock(
    fresh_storage: Callable[[], AbstractContextManager[Factories]],
    history: list[tuple[object, ...]],
    wanted: list[Search],
) -> None:
    reference = BruteForce()
    with fresh_storage() as uow:
        _replay(uow, history, reference)
        for search in wanted:
            _assert_same_pages(uow, reference, search)
