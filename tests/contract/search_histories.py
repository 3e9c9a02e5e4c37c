"""The histories and the brute-force reference of the search-equivalence property."""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import strategies as st

from ota_core import DateRange, Reservation
from tests.builders import RECORDED_AT, a_reservation

# Upper and lower case: ids order by code point ("C"), not alphabetically.
PROPERTY_IDS = ("A", "B", "C", "D", "E", "F", "a", "b")
CURSORS = (*PROPERTY_IDS, "0", "Bz", "c")

_nights = (st.sampled_from(PROPERTY_IDS), st.integers(0, 40), st.integers(1, 15))
bookings = st.tuples(st.just("book"), *_nights, st.none())
holds = st.tuples(st.just("hold"), *_nights, st.integers(1, 30))  # minutes to live
confirmations = st.tuples(st.just("confirm"), st.integers(0, 1000))
cancellations = st.tuples(st.just("cancel"), st.integers(0, 1000))
moves = st.tuples(st.just("move"), st.integers(0, 1000), st.integers(0, 40), st.integers(1, 15))
ticks = st.tuples(st.just("tick"), st.integers(1, 20))  # minutes
_search = (
    st.integers(-5, 50),
    st.integers(1, 20),
    st.integers(1, 4),
    st.none() | st.sampled_from(CURSORS),
)
# Searches within the history too: each meets the holds live at that moment.
searches_now = st.tuples(st.just("search"), *_search)
histories = st.lists(
    bookings | holds | holds | confirmations | cancellations | moves | ticks | searches_now,
    max_size=30,
)
searches = st.lists(st.tuples(*_search), min_size=1, max_size=4)


@attrs.define
class BruteForce:
    """Every reservation written, the clock, and the free properties found by looking at all."""

    now: dt.datetime = RECORDED_AT
    kept: list[Reservation] = attrs.Factory(list)

    def accepts(self, reservation: Reservation) -> bool:
        return not any(
            held.property_id == reservation.property_id
            and held.id != reservation.id
            and held.blocks(reservation.stay, self.now)
            for held in self.kept
        )

    def occupying(self, *, holds: bool) -> list[Reservation]:
        return [r for r in self.kept if r.occupies(self.now) and r.is_hold == holds]

    def replace(self, old: Reservation, new: Reservation) -> None:
        self.kept[self.kept.index(old)] = new

    def page(self, wanted: DateRange, after: str | None, limit: int) -> list[str]:
        free = [
            property_id
            for property_id in sorted(PROPERTY_IDS)
            if (after is None or property_id > after)
            and self.accepts(a_reservation(property_id, wanted))
        ]
        return free[:limit]
