"""The transaction boundary: nothing is durable without `commit()`."""

from __future__ import annotations

import pytest

from ota_core import ReadOnlyUnitOfWorkFactory, UnitOfWorkFactory
from tests.builders import RECORDED_AT, a_property, a_reservation, stay


def test_committed_work_is_visible_to_the_next_unit_of_work(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        work.properties.add(a_property("P1"))
        work.commit()
    with uow() as work:
        assert work.properties.get(a_property("P1").id) == a_property("P1")


def test_uncommitted_work_is_rolled_back(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        work.properties.add(a_property("P1"))
    with uow() as work:
        assert work.properties.get(a_property("P1").id) is None


def test_an_error_inside_the_block_rolls_back_everything(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        work.properties.add(a_property("P1"))
        work.commit()
    reservation = a_reservation("P1")

    class Boom(Exception):
        pass

    def fail_halfway() -> None:
        with uow() as work:
            work.properties.add(a_property("P2"))
            work.reservations.add(reservation)
            raise Boom

    with pytest.raises(Boom):
        fail_halfway()

    with uow() as work:
        assert work.properties.get(a_property("P2").id) is None
        assert work.reservations.get(reservation.id) is None


def test_work_is_visible_inside_its_own_unit_before_commit(uow: UnitOfWorkFactory) -> None:
    reservation = a_reservation("P1")
    with uow() as work:
        work.properties.add(a_property("P1"))
        work.reservations.add(reservation)
        assert work.reservations.get(reservation.id) == reservation


def test_rollback_after_commit_keeps_the_committed_work(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        work.properties.add(a_property("P1"))
        work.commit()
        work.rollback()
    with uow() as work:
        assert work.properties.get(a_property("P1").id) is not None


def test_a_read_only_unit_of_work_reads_what_was_committed(
    uow: UnitOfWorkFactory, read_only_uow: ReadOnlyUnitOfWorkFactory
) -> None:
    reservation = a_reservation("P1", stay(0, 2))
    with uow() as work:
        work.properties.add(a_property("P1"))
        work.reservations.add(reservation)
        work.commit()
    with read_only_uow() as reading:
        assert reading.properties.get(a_property("P1").id) == a_property("P1")
        assert reading.reservations.get(reservation.id) == reservation
        assert reading.properties.list_free(stay(0, 2), after=None, limit=10, now=RECORDED_AT) == []


def test_a_read_only_unit_of_work_offers_no_way_to_write(
    read_only_uow: ReadOnlyUnitOfWorkFactory,
) -> None:
    with read_only_uow() as reading:
        assert not hasattr(reading, "commit")
        assert not hasattr(reading, "idempotency_keys")
        assert not hasattr(reading.properties, "add")
        assert not {"add", "save"} & set(dir(reading.reservations))
