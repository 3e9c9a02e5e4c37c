"""The sample data in PostgreSQL: a database made ready for demos and development.

The rows go in through the one loader, `ota_adapters.sample_data.load_sample_data`,
over a unit of work. A database with no tables yet starts as the brief's starter
database did, the legacy tables holding the sample stays without ids, so that
the upgrade gives them their ids (ADR 0005): every fresh embedded database runs
the id backfill, and gets the ids the loader would have given.
"""

from __future__ import annotations

import datetime as dt
import functools

import attrs
import sqlalchemy as sa

from ota_adapters.postgres.engine import build_engine, one_off_connection
from ota_adapters.postgres.migration import LEGACY_REVISION, migrate, schema_is_current
from ota_adapters.postgres.uow import PostgresUnitOfWork
from ota_adapters.sample_data import load_sample_data, sample_legacy_stays, sample_properties
from ota_core import StorageUnavailable


def add_sample_data(url: str) -> None:
    """Add the sample properties and stays the database at `url` lacks.

    Running it again adds nothing. The schema must be the latest (`migrate`).
    """
    engine = build_engine(url, pool_size=1, max_overflow=0)
    try:
        if not schema_is_current(engine):
            raise StorageUnavailable(
                "the database is unreachable or its schema is not up to date (`ota migrate`)"
            )
        now = dt.datetime.now(dt.UTC)
        load_sample_data(functools.partial(PostgresUnitOfWork, engine), recorded_at=now)
    finally:
        engine.dispose()


def prepare_database(url: str) -> None:
    """Migrate the database at `url` to the latest schema and add the sample data it lacks.

    For the embedded database and demos only: a database of real bookings is
    migrated (`migrate`) and never given the sample rows unless asked.
    """
    with one_off_connection(url) as connection:
        fresh = not sa.inspect(connection).has_table("reservation")
    if fresh:
        migrate(url, LEGACY_REVISION)
        _add_legacy_stays(url)
    migrate(url)
    add_sample_data(url)


def _add_legacy_stays(url: str) -> None:
    """Fill the legacy tables, while they are empty, with the sample rows in their shape."""
    stays = "INSERT INTO reservation VALUES (:property_id, :start_date, :number_of_nights)"
    with one_off_connection(url) as connection, connection.begin():
        # A second process preparing the same fresh database waits here, then finds the rows.
        connection.execute(sa.text("LOCK TABLE reservation IN SHARE ROW EXCLUSIVE MODE"))
        if connection.execute(sa.text("SELECT EXISTS (SELECT FROM reservation)")).scalar():
            return
        connection.execute(
            sa.text("INSERT INTO property VALUES (:id, :description)"),
            [attrs.asdict(property_) for property_ in sample_properties()],
        )
        connection.execute(
            sa.text(stays),
            [attrs.asdict(stay) for stay in sample_legacy_stays()],
        )
