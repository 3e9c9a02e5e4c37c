"""When a Postgres unit of work holds a transaction open, and what it locks, seen by the server."""

from __future__ import annotations

import psycopg2.errors
import pytest
import sqlalchemy as sa

from ota_adapters.postgres import PostgresReadOnlyUnitOfWork, PostgresUnitOfWork
from ota_core import DateRange, DatesUnavailable, PropertyId
from tests.builders import RECORDED_AT, a_property, a_reservation, day, stay


def _sessions_in_transaction(engine: sa.Engine) -> int:
    """The database's other OTA sessions that are inside a transaction, between statements."""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ota'"
        " AND datname = current_database() AND pid <> pg_backend_pid()"
        " AND state = 'idle in transaction'"
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_a_read_only_unit_of_work_ends_its_transaction_with_its_block(engine: sa.Engine) -> None:
    with PostgresReadOnlyUnitOfWork(engine) as reading:
        reading.properties.get(PropertyId("P1"))
        reading.properties.list_free(
            DateRange.from_nights(day(0), 2), after=None, limit=10, now=RECORDED_AT
        )
        reading.reservations.get(a_reservation().id)
        assert _sessions_in_transaction(engine) == 1
    assert _sessions_in_transaction(engine) == 0


def test_a_unit_of_work_is_one_transaction_from_its_first_statement_to_commit(
    engine: sa.Engine,
) -> None:
    with PostgresUnitOfWork(engine) as work:
        work.properties.get(PropertyId("P1"))
        assert _sessions_in_transaction(engine) == 1
        work.properties.add(a_property("P1"))
        work.reservations.add(a_reservation("P1", stay(0, 2)))
        assert _sessions_in_transaction(engine) == 1
        work.commit()
        assert _sessions_in_transaction(engine) == 0


def test_a_unit_of_work_left_mid_transaction_rolls_it_back(engine: sa.Engine) -> None:
    with PostgresUnitOfWork(engine) as work:
        work.properties.add(a_property("P1"))
    assert _sessions_in_transaction(engine) == 0
    with PostgresUnitOfWork(engine) as work:
        assert work.properties.get(PropertyId("P1")) is None


def test_a_refused_booking_leaves_its_connection_idle_and_usable(engine: sa.Engine) -> None:
    with PostgresUnitOfWork(engine) as work:
        work.properties.add(a_property("P1"))
        work.reservations.add(a_reservation("P1", stay(0, 3)))
        work.commit()
    with PostgresUnitOfWork(engine) as work, pytest.raises(DatesUnavailable):
        work.reservations.add(a_reservation("P1", stay(1, 1)))
    assert _sessions_in_transaction(engine) == 0
    with PostgresUnitOfWork(engine) as work:
        work.reservations.add(a_reservation("P1", stay(3, 1)))
        work.commit()


def _can_lock_reservation(engine: sa.Engine, reservation_id: object) -> bool:
    """Whether another session could lock the reservation's row for an update right now."""
    query = sa.text("SELECT 1 FROM reservation WHERE reservation_id = :id FOR UPDATE NOWAIT")
    with engine.connect() as connection:
        try:
            connection.execute(query, {"id": reservation_id})
        except sa.exc.OperationalError as error:
            if isinstance(error.orig, psycopg2.errors.LockNotAvailable):
                return False
            raise
    return True


def test_a_row_read_by_id_stays_locked_until_the_unit_of_work_ends(engine: sa.Engine) -> None:
    reservation = a_reservation("P1", stay(0, 2))
    with PostgresUnitOfWork(engine) as work:
        work.properties.add(a_property("P1"))
        work.reservations.add(reservation)
        work.commit()

    with PostgresUnitOfWork(engine) as work:
        work.reservations.get(reservation.id)
        assert not _can_lock_reservation(engine, reservation.id)
    assert _can_lock_reservation(engine, reservation.id)
    with PostgresReadOnlyUnitOfWork(engine) as reading:
        reading.reservations.get(reservation.id)
        assert _can_lock_reservation(engine, reservation.id), "reading alone locks nothing"
