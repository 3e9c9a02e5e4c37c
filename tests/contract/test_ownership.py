"""Reservations by owner: read by id and owner, and listed in keyset pages."""

from __future__ import annotations

import datetime as dt

import pytest

from ota_core import (
    Principal,
    PropertyId,
    ReadOnlyUnitOfWorkFactory,
    Reservation,
    ReservationCursor,
    ReservationFilter,
    ReservationStatus,
    UnitOfWorkFactory,
)
from tests.builders import GUEST, OTHER_GUEST, a_property, a_reservation, day, stay


@pytest.fixture
def booked(uow: UnitOfWorkFactory) -> dict[str, Reservation]:
    """Stays of GUEST, of OTHER_GUEST and a legacy one (no owner), one cancelled."""
    stays = {
        "mine-early": a_reservation("P1", stay(0, 2)),
        "mine-late": a_reservation("P2", stay(10, 3)),
        "mine-same-day": a_reservation("P3", stay(10, 1)),
        "mine-cancelled": a_reservation("P1", stay(4, 2)),
        "theirs": a_reservation("P1", stay(20, 2), owner=OTHER_GUEST),
        "legacy": a_reservation("P2", stay(0, 2), owner=None),
    }
    with uow() as work:
        for property_id in ("P1", "P2", "P3"):
            work.properties.add(a_property(property_id))
        for reservation in stays.values():
            work.reservations.add(reservation)
        stays["mine-cancelled"] = stays["mine-cancelled"].cancel()
        work.reservations.save(stays["mine-cancelled"])
        work.commit()
    return stays


def _list(
    read_only_uow: ReadOnlyUnitOfWorkFactory,
    owner: Principal,
    where: ReservationFilter | None = None,
    after: ReservationCursor | None = None,
    limit: int = 10,
) -> list[Reservation]:
    with read_only_uow() as reading:
        return list(
            reading.reservations.list_owned(
                owner, where or ReservationFilter(), after=after, limit=limit
            )
        )


def _in_order(*reservations: Reservation) -> list[Reservation]:
    return sorted(reservations, key=ReservationCursor.of)


def test_the_owner_reads_their_reservation_by_id(
    read_only_uow: ReadOnlyUnitOfWorkFactory, booked: dict[str, Reservation]
) -> None:
    mine = booked["mine-early"]
    with read_only_uow() as reading:
        assert reading.reservations.get_owned(mine.id, GUEST) == mine
        assert reading.reservations.get_owned(mine.id, GUEST).owner == GUEST  # type: ignore[union-attr]


def test_a_read_naming_the_property_finds_only_a_reservation_of_that_property(
    uow: UnitOfWorkFactory,
    read_only_uow: ReadOnlyUnitOfWorkFactory,
    booked: dict[str, Reservation],
) -> None:
    mine, theirs = booked["mine-late"], booked["theirs"]
    for factory in (uow, read_only_uow):
        with factory() as reading:
            found = reading.reservations.get_owned
            assert found(mine.id, GUEST, property_id=mine.property_id) == mine
            assert found(mine.id, GUEST, property_id=PropertyId("P1")) is None
            assert found(mine.id, GUEST, property_id=PropertyId("nowhere")) is None
            assert found(theirs.id, GUEST, property_id=theirs.property_id) is None
            assert found(booked["legacy"].id, GUEST, property_id=PropertyId("P2")) is None


def test_someone_elses_or_a_legacy_reservation_reads_as_none(
    uow: UnitOfWorkFactory,
    read_only_uow: ReadOnlyUnitOfWorkFactory,
    booked: dict[str, Reservation],
) -> None:
    for factory in (uow, read_only_uow):
        with factory() as reading:
            assert reading.reservations.get_owned(booked["theirs"].id, GUEST) is None
            assert reading.reservations.get_owned(booked["mine-early"].id, OTHER_GUEST) is None
            assert reading.reservations.get_owned(booked["legacy"].id, GUEST) is None
            assert reading.reservations.get(booked["legacy"].id) == booked["legacy"]


def test_a_list_holds_the_owners_reservations_only_by_start_then_id(
    read_only_uow: ReadOnlyUnitOfWorkFactory, booked: dict[str, Reservation]
) -> None:
    mine = [booked[name] for name in ("mine-early", "mine-cancelled", "mine-late", "mine-same-day")]
    assert _list(read_only_uow, GUEST) == _in_order(*mine)
    assert _list(read_only_uow, OTHER_GUEST) == [booked["theirs"]]


def test_a_list_is_read_in_keyset_pages(
    read_only_uow: ReadOnlyUnitOfWorkFactory, booked: dict[str, Reservation]
) -> None:
    every = _list(read_only_uow, GUEST)
    pages: list[Reservation] = []
    after = None
    while page := _list(read_only_uow, GUEST, after=after, limit=1):
        pages += page
        after = ReservationCursor.of(page[-1])
    assert pages == every
    assert len(every) == 4


def test_a_list_filters_by_status(
    read_only_uow: ReadOnlyUnitOfWorkFactory, booked: dict[str, Reservation]
) -> None:
    cancelled = ReservationFilter(status=ReservationStatus.CANCELLED)
    confirmed = ReservationFilter(status=ReservationStatus.CONFIRMED)
    assert _list(read_only_uow, GUEST, cancelled) == [booked["mine-cancelled"]]
    assert booked["mine-cancelled"] not in _list(read_only_uow, GUEST, confirmed)
    assert len(_list(read_only_uow, GUEST, confirmed)) == 3


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ((day(1), day(2)), ["mine-early"]),  # the last night of a stay overlaps
        ((day(2), day(4)), []),  # its checkout day does not; the next starts at the window's end
        ((day(5), None), ["mine-cancelled", "mine-late", "mine-same-day"]),
        ((None, day(4)), ["mine-early"]),
        ((day(10), day(11)), ["mine-late", "mine-same-day"]),
    ],
)
def test_a_list_filters_by_stays_overlapping_a_window(
    read_only_uow: ReadOnlyUnitOfWorkFactory,
    booked: dict[str, Reservation],
    window: tuple[dt.date | None, dt.date | None],
    expected: list[str],
) -> None:
    where = ReservationFilter(window_start=window[0], window_end=window[1])
    assert _list(read_only_uow, GUEST, where) == _in_order(*(booked[name] for name in expected))
