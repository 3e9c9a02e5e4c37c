"""Search equals a brute-force scan of the stays, after any history of bookings and cancellations.

Whatever an adapter keeps to answer quickly (PostgreSQL: each property's free
gaps, kept by triggers), its pages, walked with their cursor, are those of a
scan of the confirmed stays kept here in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ota_core import DateRange, DatesUnavailable, PropertyId, Reservation
from tests.builders import a_property, a_reservation, stay
from tests.contract.conftest import Factories

# Upper and lower case: ids order by code point ("C"), not alphabetically.
PROPERTY_IDS = ("A", "B", "C", "D", "E", "F", "a", "b")
CURSORS = (*PROPERTY_IDS, "0", "Bz", "c")

bookings = st.tuples(
    st.just("book"), st.sampled_from(PROPERTY_IDS), st.integers(0, 40), st.integers(1, 15)
)
cancellations = st.tuples(st.just("cancel"), st.integers(0, 1000))
histories = st.lists(bookings | bookings | cancellations, max_size=25)
searches = st.lists(
    st.tuples(
        st.integers(-5, 50),
        st.integers(1, 20),
        st.integers(1, 4),
        st.none() | st.sampled_from(CURSORS),
    ),
    min_size=1,
    max_size=4,
)


@attrs.define
class BruteForce:
    """The confirmed stays, and the free properties found by looking at every one of them."""

    confirmed: list[Reservation] = attrs.Factory(list)

    def accepts(self, reservation: Reservation) -> bool:
        return not any(
            held.property_id == reservation.property_id and held.stay.overlaps(reservation.stay)
            for held in self.confirmed
        )

    def page(self, wanted: DateRange, after: str | None, limit: int) -> list[str]:
        free = [
            property_id
            for property_id in sorted(PROPERTY_IDS)
            if (after is None or property_id > after)
            and self.accepts(a_reservation(property_id, wanted))
        ]
        return free[:limit]


def _replay(uow: Factories, history: list[tuple[object, ...]], reference: BruteForce) -> None:
    with uow.read_write() as work:
        for property_id in PROPERTY_IDS:
            work.properties.add(a_property(property_id))
        work.commit()
    for step in history:
        if step[0] == "book":
            _, property_id, start, nights = step
            _book(
                uow,
                a_reservation(str(property_id), stay(int(str(start)), int(str(nights)))),
                reference,
            )
        elif reference.confirmed:
            _cancel(
                uow, reference.confirmed[int(str(step[1])) % len(reference.confirmed)], reference
            )


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
        reference.confirmed.append(reservation)


def _cancel(uow: Factories, reservation: Reservation, reference: BruteForce) -> None:
    with uow.read_write() as work:
        stored = work.reservations.get(reservation.id)
        assert stored is not None
        work.reservations.save(stored.cancel())
        work.commit()
    reference.confirmed.remove(reservation)


def _pages(uow: Factories, wanted: DateRange, after: str | None, limit: int) -> list[list[str]]:
    """Every page from the cursor on, each found after the last id of the one before."""
    pages: list[list[str]] = []
    while True:
        with uow.read_only() as work:
            cursor = None if after is None else PropertyId(after)
            page = [p.id for p in work.properties.list_free(wanted, after=cursor, limit=limit)]
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


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories, wanted=searches)
def test_pages_of_search_are_those_of_a_scan_of_every_confirmed_stay(
    fresh_storage: Callable[[], AbstractContextManager[Factories]],
    history: list[tuple[object, ...]],
    wanted: list[tuple[int, int, int, str | None]],
) -> None:
    reference = BruteForce()
    with fresh_storage() as uow:
        _replay(uow, history, reference)
        for start, nights, limit, after in wanted:
            searched = stay(start, nights)
            assert _pages(uow, searched, after, limit) == _reference_pages(
                reference, searched, after, limit
            )
