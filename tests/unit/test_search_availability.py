from __future__ import annotations

import datetime as dt

import pytest

from ota_core import AvailabilityQuery, DateRange, InvalidRequest, PolicyViolation, PropertyId
from tests.unit.conftest import Service

FREE_ON_JAN_4_FOR_3_NIGHTS = [
    "1BlCOXqGH2MZb2",
    "H75e1FjJFudcbC",
    "SnbrmRLFxOhCAT",
    "djddZlw8apLVfi",
    "g3hbWxJ5TdXidt",
]


def test_the_sample_data_leaves_five_properties_free_from_jan_4_for_3_nights(
    service: Service,
) -> None:
    assert service.free_ids(dt.date(2021, 1, 4), 3) == FREE_ON_JAN_4_FOR_3_NIGHTS


def test_a_property_is_free_from_the_checkout_day_of_its_last_stay(service: Service) -> None:
    # xE6vqTqA6LTwpE is booked 2021-01-04 for 7 nights: free again from 2021-01-11.
    assert "xE6vqTqA6LTwpE" not in service.free_ids(dt.date(2021, 1, 10), 1)
    assert "xE6vqTqA6LTwpE" in service.free_ids(dt.date(2021, 1, 11), 1)


def test_results_come_in_pages_with_a_cursor_to_the_next(service: Service) -> None:
    stay = DateRange.from_nights(dt.date(2021, 1, 4), 3)
    first = service.search.execute(AvailabilityQuery(stay, limit=2))
    second = service.search.execute(AvailabilityQuery(stay, after=first.next_after, limit=2))
    third = service.search.execute(AvailabilityQuery(stay, after=second.next_after, limit=2))

    pages = [first.properties, second.properties, third.properties]
    assert [p.id for page in pages for p in page] == FREE_ON_JAN_4_FOR_3_NIGHTS
    assert third.next_after is None


def test_a_full_last_page_has_no_cursor(service: Service) -> None:
    stay = DateRange.from_nights(dt.date(2021, 1, 4), 3)
    page = service.search.execute(AvailabilityQuery(stay, limit=5))
    assert len(page.properties) == 5
    assert page.next_after is None


def test_when_nothing_is_free_the_page_is_empty(service: Service) -> None:
    service.store.properties.clear()
    service.store.sorted_property_ids.clear()
    page = service.search.execute(AvailabilityQuery(DateRange.from_nights(dt.date(2021, 1, 4), 3)))
    assert page.properties == ()
    assert page.next_after is None


def test_search_refuses_stays_longer_than_the_policy_allows(service: Service) -> None:
    with pytest.raises(PolicyViolation, match="nights"):
        service.free_ids(dt.date(2021, 1, 4), 366)


@pytest.mark.parametrize("limit", [0, -1, 1001, True, "10"])
def test_the_page_size_must_be_from_1_to_1000(limit: object) -> None:
    with pytest.raises(InvalidRequest, match="limit") as refused:
        AvailabilityQuery(DateRange.from_nights(dt.date(2021, 1, 4), 3), limit=limit)  # type: ignore[arg-type]
    assert refused.value.field == "limit"


def test_the_cursor_must_look_like_a_property_id() -> None:
    with pytest.raises(InvalidRequest, match="after") as refused:
        AvailabilityQuery(DateRange.from_nights(dt.date(2021, 1, 4), 3), after=PropertyId("a b"))
    assert refused.value.field == "after"
