"""PropertyRepository: storing properties and finding the free ones."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from ota_core import DateRange, Property, PropertyId, UnitOfWorkFactory
from tests.builders import RECORDED_AT, a_property, a_reservation, stay


def _given(uow: UnitOfWorkFactory, *property_ids: str) -> None:
    with uow() as work:
        for property_id in property_ids:
            work.properties.add(a_property(property_id))
        work.commit()


def _book(uow: UnitOfWorkFactory, property_id: str, booked: DateRange) -> None:
    with uow() as work:
        work.reservations.add(a_reservation(property_id, booked))
        work.commit()


def _free(
    uow: UnitOfWorkFactory, wanted: DateRange, after: str | None = None, limit: int = 100
) -> list[str]:
    with uow() as work:
        found: Sequence[Property] = work.properties.list_free(
            wanted, after=None if after is None else PropertyId(after), limit=limit, now=RECORDED_AT
        )
        return [p.id for p in found]


def test_get_returns_the_stored_property(uow: UnitOfWorkFactory) -> None:
    _given(uow, "P1")
    with uow() as work:
        assert work.properties.get(PropertyId("P1")) == a_property("P1")


def test_get_returns_none_for_an_unknown_id(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        assert work.properties.get(PropertyId("nope")) is None


def test_adding_an_existing_property_leaves_it_as_it_was(uow: UnitOfWorkFactory) -> None:
    _given(uow, "P1")
    with uow() as work:
        work.properties.add(Property(PropertyId("P1"), "changed"))
        work.commit()
    with uow() as work:
        assert work.properties.get(PropertyId("P1")) == a_property("P1")


def test_ids_are_kept_exactly_as_given(uow: UnitOfWorkFactory) -> None:
    odd_ids = ["x';DROP/**/TABLE/**/property;--", "ünïcödé", "a" * 64]
    _given(uow, *odd_ids)
    with uow() as work:
        for property_id in odd_ids:
            assert work.properties.get(PropertyId(property_id)) == a_property(property_id)


def test_with_no_reservations_every_property_is_free_in_id_order(uow: UnitOfWorkFactory) -> None:
    _given(uow, "b", "c", "a")
    assert _free(uow, stay(0, 3)) == ["a", "b", "c"]


def test_a_property_with_an_overlapping_stay_is_not_free(uow: UnitOfWorkFactory) -> None:
    _given(uow, "a", "b")
    _book(uow, "a", stay(2, 3))
    assert _free(uow, stay(4, 1)) == ["b"]
    assert _free(uow, stay(0, 3)) == ["b"]


@pytest.mark.parametrize(
    ("wanted", "why"),
    [
        (stay(0, 2), "checks out on the day the booked stay starts"),
        (stay(5, 2), "starts on its checkout day"),
    ],
)
def test_back_to_back_stays_leave_the_property_free(
    uow: UnitOfWorkFactory, wanted: DateRange, why: str
) -> None:
    _given(uow, "a")
    _book(uow, "a", stay(2, 3))
    assert _free(uow, wanted) == ["a"], why


def test_a_long_stay_covering_the_whole_range_blocks_it(uow: UnitOfWorkFactory) -> None:
    _given(uow, "a")
    _book(uow, "a", stay(0, 365))
    assert _free(uow, stay(300, 1)) == []
    assert _free(uow, stay(365, 1)) == ["a"]


def test_cancelled_stays_do_not_block(uow: UnitOfWorkFactory) -> None:
    _given(uow, "a")
    reservation = a_reservation("a", stay(0, 5))
    with uow() as work:
        work.reservations.add(reservation)
        work.commit()
    with uow() as work:
        work.reservations.save(reservation.cancel())
        work.commit()
    assert _free(uow, stay(1, 1)) == ["a"]


def test_pages_follow_the_cursor_and_respect_the_limit(uow: UnitOfWorkFactory) -> None:
    _given(uow, *"abcdefg")
    _book(uow, "c", stay(0, 1))
    assert _free(uow, stay(0, 1), limit=3) == ["a", "b", "d"]
    assert _free(uow, stay(0, 1), after="d", limit=3) == ["e", "f", "g"]
    assert _free(uow, stay(0, 1), after="g", limit=3) == []


def test_the_cursor_need_not_be_an_existing_id(uow: UnitOfWorkFactory) -> None:
    _given(uow, "a", "c")
    assert _free(uow, stay(0, 1), after="b") == ["c"]
