from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ota_core import DateRange, InvalidStay
from tests.strategies import any_dates, any_stays, stays

JAN_4 = dt.date(2021, 1, 4)


def test_a_stay_of_three_nights_ends_on_the_third_day_after_it_starts() -> None:
    stay = DateRange.from_nights(JAN_4, 3)
    assert (stay.start, stay.end, stay.nights) == (JAN_4, dt.date(2021, 1, 7), 3)
    assert str(stay) == "[2021-01-04, 2021-01-07)"


def test_the_checkout_day_is_not_part_of_the_stay() -> None:
    stay = DateRange.from_nights(JAN_4, 3)
    assert stay.contains(dt.date(2021, 1, 6))
    assert not stay.contains(dt.date(2021, 1, 7))
    assert not stay.contains(dt.date(2021, 1, 3))


def test_back_to_back_stays_from_the_sample_data_do_not_overlap() -> None:
    two_nights = DateRange.from_nights(dt.date(2021, 1, 2), 2)
    seven_nights = DateRange.from_nights(JAN_4, 7)
    assert not two_nights.overlaps(seven_nights)


@pytest.mark.parametrize("nights", [0, -1, -(10**12)])
def test_a_stay_needs_at_least_one_night(nights: int) -> None:
    with pytest.raises(InvalidStay, match="at least 1"):
        DateRange.from_nights(JAN_4, nights)


@pytest.mark.parametrize("nights", [True, 2.0, "3", None])
def test_nights_must_be_a_whole_number(nights: object) -> None:
    with pytest.raises(InvalidStay, match="whole number"):
        DateRange.from_nights(JAN_4, nights)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "nights"),
    [(dt.date(9999, 12, 31), 1), (dt.date(9999, 1, 1), 365), (JAN_4, 10**12)],
)
def test_a_stay_past_the_end_of_the_calendar_is_invalid_not_a_crash(
    start: dt.date, nights: int
) -> None:
    with pytest.raises(InvalidStay, match="would end after 9999-12-31"):
        DateRange.from_nights(start, nights)


def test_a_stay_is_made_of_calendar_days_not_instants() -> None:
    with pytest.raises(InvalidStay, match="must be a date"):
        DateRange.from_nights(dt.datetime(2021, 1, 4, 12, 0, tzinfo=dt.UTC), 1)


def test_an_end_on_or_before_the_start_is_invalid() -> None:
    with pytest.raises(InvalidStay, match="must end after it starts"):
        DateRange(JAN_4, JAN_4)


def test_the_earliest_date_can_start_a_stay() -> None:
    assert DateRange.from_nights(dt.date.min, 1).nights == 1


@given(any_dates.filter(lambda d: d < dt.date(9999, 1, 1)), st.integers(1, 365))
def test_from_nights_counts_exactly_the_nights_asked_for(start: dt.date, nights: int) -> None:
    stay = DateRange.from_nights(start, nights)
    assert stay.nights == nights
    assert list(stay.each_night()) == [start + dt.timedelta(days=n) for n in range(nights)]


@given(stays, stays)
def test_overlap_is_symmetric(first: DateRange, second: DateRange) -> None:
    assert first.overlaps(second) == second.overlaps(first)


@given(stays, stays)
def test_two_stays_overlap_exactly_when_they_share_a_night(
    first: DateRange, second: DateRange
) -> None:
    shared = set(first.each_night()) & set(second.each_night())
    assert first.overlaps(second) == bool(shared)


@given(any_stays)
def test_a_stay_overlaps_itself_but_not_the_stay_that_starts_at_its_checkout(
    stay: DateRange,
) -> None:
    following = DateRange.from_nights(stay.end, 1)
    assert stay.overlaps(stay)
    assert not stay.overlaps(following)


@given(any_stays, any_dates)
def test_a_stay_contains_a_day_exactly_when_that_night_overlaps_it(
    stay: DateRange, day: dt.date
) -> None:
    if day < dt.date.max:
        assert stay.contains(day) == stay.overlaps(DateRange.from_nights(day, 1))
