"""Search on PostgreSQL answers as the in-memory adapter does (the reference)."""

from __future__ import annotations

import datetime as dt
from functools import partial

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ota_adapters.clock import FixedClock
from ota_adapters.memory import InMemoryStore
from ota_adapters.postgres import PostgresUnitOfWork
from ota_adapters.sample_data import load_sample_data, sample_properties
from ota_core import (
    LONGEST_STAY_NIGHTS,
    AvailabilityPolicy,
    AvailabilityQuery,
    DateRange,
    DatesUnavailable,
    PropertyId,
    SearchAvailability,
    UnitOfWorkFactory,
)
from tests.builders import RECORDED_AT, a_property, a_reservation, stay
from tests.postgres_servers import truncate

# The session fixtures are read only here, or emptied by the test itself.
DATABASE_SETTINGS = settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SAMPLE_IDS = sorted(p.id for p in sample_properties())

stays = st.builds(
    DateRange.from_nights,
    st.dates(dt.date(2020, 12, 1), dt.date(2021, 2, 28)),
    st.integers(1, 40) | st.integers(1, LONGEST_STAY_NIGHTS),
)
cursors = st.none() | st.sampled_from(SAMPLE_IDS) | st.text("0123ABCabcz", min_size=1, max_size=3)


def _reference() -> UnitOfWorkFactory:
    store = InMemoryStore()
    load_sample_data(store.unit_of_work, recorded_at=RECORDED_AT)
    return store.unit_of_work


def _free(uow: UnitOfWorkFactory, wanted: DateRange, after: str | None, limit: int) -> list[str]:
    cursor = None if after is None else PropertyId(after)
    with uow() as work:
        return [
            p.id
            for p in work.properties.list_free(wanted, after=cursor, limit=limit, now=RECORDED_AT)
        ]


def _all_pages(uow: UnitOfWorkFactory, wanted: DateRange, limit: int) -> list[list[str]]:
    search = SearchAvailability(uow, AvailabilityPolicy(), FixedClock(RECORDED_AT))
    pages, after = [], None
    while True:
        page = search.execute(AvailabilityQuery(wanted, after=after, limit=limit))
        pages.append([p.id for p in page.properties])
        if page.next_after is None:
            return pages
        after = page.next_after


@DATABASE_SETTINGS
@given(wanted=stays, after=cursors, limit=st.integers(1, 8))
def test_a_page_of_free_sample_properties_is_the_reference_page(
    sample_engine: sa.Engine, wanted: DateRange, after: str | None, limit: int
) -> None:
    postgres = partial(PostgresUnitOfWork, sample_engine)
    assert _free(postgres, wanted, after, limit) == _free(_reference(), wanted, after, limit)


@DATABASE_SETTINGS
@given(wanted=stays, limit=st.integers(1, 4))
def test_paging_through_the_sample_gives_the_reference_pages(
    sample_engine: sa.Engine, wanted: DateRange, limit: int
) -> None:
    postgres = partial(PostgresUnitOfWork, sample_engine)
    assert _all_pages(postgres, wanted, limit) == _all_pages(_reference(), wanted, limit)


bookings = st.lists(
    st.tuples(st.sampled_from("abcdE"), st.integers(0, 400), st.integers(1, LONGEST_STAY_NIGHTS)),
    max_size=15,
)


def _book_all(uow: UnitOfWorkFactory, wanted: list[tuple[str, int, int]]) -> list[bool]:
    with uow() as work:
        for property_id in "abcdE":
            work.properties.add(a_property(property_id))
        work.commit()
    accepted = []
    for property_id, start, nights in wanted:
        try:
            with uow() as work:
                work.reservations.add(a_reservation(property_id, stay(start, nights)))
                work.commit()
        except DatesUnavailable:
            accepted.append(False)
        else:
            accepted.append(True)
    return accepted


@DATABASE_SETTINGS
@given(booked=bookings, queries=st.lists(st.tuples(st.integers(-30, 800), st.integers(1, 400))))
def test_random_bookings_and_searches_agree_with_the_reference(
    session_engine: sa.Engine, booked: list[tuple[str, int, int]], queries: list[tuple[int, int]]
) -> None:
    truncate(session_engine)
    postgres = partial(PostgresUnitOfWork, session_engine)
    reference = InMemoryStore().unit_of_work

    assert _book_all(postgres, booked) == _book_all(reference, booked)
    for start, nights in queries:
        wanted = stay(start, nights)
        assert _free(postgres, wanted, None, 10) == _free(reference, wanted, None, 10)
