from __future__ import annotations

import datetime as dt

import pytest

from ota_core import LONGEST_STAY_NIGHTS, AvailabilityPolicy, DateRange, PolicyViolation
from ota_core.policy import check_policy_fits

# 10:00 UTC on 2030-06-15: still 2030-06-14 at UTC-12 (until 12:00 UTC).
NOW = dt.datetime(2030, 6, 15, 10, 0, tzinfo=dt.UTC)
POLICY = AvailabilityPolicy(min_nights=2, max_nights=30, booking_horizon_days=365)


def _stay(start: dt.date, nights: int = 3) -> DateRange:
    return DateRange.from_nights(start, nights)


def test_the_defaults_allow_one_night_to_a_year_up_to_three_years_ahead() -> None:
    policy = AvailabilityPolicy()
    assert (policy.min_nights, policy.max_nights, policy.booking_horizon_days) == (1, 365, 1095)


@pytest.mark.parametrize("nights", [1, 31])
def test_stays_outside_the_allowed_length_are_refused(nights: int) -> None:
    with pytest.raises(PolicyViolation, match="nights must be from 2 to 30") as refused:
        POLICY.check_search(_stay(dt.date(2030, 7, 1), nights))
    assert refused.value.field == "nights"


def test_search_accepts_past_dates() -> None:
    POLICY.check_search(_stay(dt.date(2021, 1, 4)))


def test_booking_today_anywhere_on_earth_is_allowed() -> None:
    POLICY.check_booking(_stay(dt.date(2030, 6, 15)), NOW)
    POLICY.check_booking(_stay(dt.date(2030, 6, 14)), NOW)


def test_booking_a_start_that_has_passed_everywhere_is_refused() -> None:
    with pytest.raises(PolicyViolation, match="in the past") as refused:
        POLICY.check_booking(_stay(dt.date(2030, 6, 13)), NOW)
    assert refused.value.field == "start_date"


def test_once_the_day_has_ended_at_utc_minus_12_it_is_in_the_past() -> None:
    noon = NOW.replace(hour=12)
    with pytest.raises(PolicyViolation, match="in the past"):
        POLICY.check_booking(_stay(dt.date(2030, 6, 14)), noon)


def test_booking_beyond_the_horizon_is_refused() -> None:
    last_day = AvailabilityPolicy.earliest_start(NOW) + dt.timedelta(days=365)
    POLICY.check_booking(_stay(last_day), NOW)
    with pytest.raises(PolicyViolation, match="more than 365 days ahead"):
        POLICY.check_booking(_stay(last_day + dt.timedelta(days=1)), NOW)


def test_booking_checks_the_length_too() -> None:
    with pytest.raises(PolicyViolation, match="nights"):
        POLICY.check_booking(_stay(dt.date(2030, 7, 1), 31), NOW)


@pytest.mark.parametrize(
    "settings",
    [
        {"min_nights": 0},
        {"max_nights": 0},
        {"min_nights": 5, "max_nights": 4},
        {"booking_horizon_days": -1},
    ],
)
def test_a_policy_that_allows_nothing_sensible_cannot_be_built(settings: dict[str, int]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - attrs and our validators both raise ValueError
        AvailabilityPolicy(**settings)


def test_the_default_policy_allows_the_longest_stay_the_service_stores() -> None:
    assert AvailabilityPolicy().max_nights == LONGEST_STAY_NIGHTS
    check_policy_fits(AvailabilityPolicy())


def test_a_policy_allowing_longer_stays_than_the_service_stores_is_refused() -> None:
    with pytest.raises(ValueError, match=f"above {LONGEST_STAY_NIGHTS}, the longest stay"):
        check_policy_fits(AvailabilityPolicy(max_nights=LONGEST_STAY_NIGHTS + 1))
