"""When a Postgres unit of work holds a transaction open, as the server sees it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ota_adapters.postgres import PostgresUnitOfWork
from ota_adapters.postgres.engine import driver_url
from ota_core import DateRange, DatesUnavailable, PropertyId
from tests.builders import a_property, a_reservation, day, stay


def _sessions_in_transaction(engine: sa.Engine) -> int:
    """The database's other OTA sessions that are inside a transaction, between statements."""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ota'"
        " AND datname = current_database() AND pid <> pg_backend_pid()"
        " AND state = 'idle in transaction'"
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_reads_run_without_a_transaction(engine: sa.Engine) -> None:
    with PostgresUnitOfWork(engine) as work:
        work.properties.get(PropertyId("P1"))
        work.properties.list_free(DateRange.from_nights(day(0), 2), after=None, limit=10)
        work.reservations.get(a_reservation().id)
        assert _sessions_in_transaction(engine) == 0


def test_the_first_write_opens_the_transaction_and_commit_ends_it(engine: sa.Engine) -> None:
    with PostgresUnitOfWork(engine) as work:
        work.properties.add(a_property("P1"))
        assert _sessions_in_transaction(engine) == 1
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


def test_a_unit_of_work_needs_an_engine_with_autocommit_connections(engine: sa.Engine) -> None:
    plain = sa.create_engine(driver_url(engine.url.render_as_string(hide_password=False)))
    try:
        with pytest.raises(RuntimeError, match="build_engine"), PostgresUnitOfWork(plain):
            pass
    finally:
        plain.dispose()
