"""A calendar built from any stays agrees with a night-by-night count."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ota_core import Calendar, DateRange
from tests.strategies import stays


@given(window=stays, taken=st.lists(stays, max_size=8))
def test_a_night_is_taken_exactly_when_a_stay_covers_it(
    window: DateRange, taken: list[DateRange]
) -> None:
    calendar = Calendar.of(window, taken)
    for night in window.each_night():
        covered = any(stay.contains(night) for stay in taken)
        assert any(r.contains(night) for r in calendar.taken) == covered
        assert any(r.contains(night) for r in calendar.free) != covered


@given(window=stays, taken=st.lists(stays, max_size=8), probe=stays)
def test_a_stay_is_free_when_none_of_its_nights_is_taken(
    window: DateRange, taken: list[DateRange], probe: DateRange
) -> None:
    calendar = Calendar.of(window, taken)
    inside = window.start <= probe.start and probe.end <= window.end
    assert calendar.is_free(probe) == (inside and not any(s.overlaps(probe) for s in taken))
