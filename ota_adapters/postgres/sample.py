"""The sample data in PostgreSQL, and getting a database ready to use.

Starting from nothing, the sample rows go in through the legacy shape and
the upgrade gives them their ids, so every fresh start runs the id backfill.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from ota_adapters.ids import legacy_reservation_id
from ota_adapters.postgres.engine import one_off_connection
from ota_adapters.postgres.migration import LEGACY_REVISION, migrate
from ota_adapters.postgres.schema import property_table, reservation_table
from ota_adapters.sample_data import sample_legacy_stays, sample_properties


class Shape(enum.Enum):
    EMPTY = "no tables"
    LEGACY = "reservations without ids"
    CURRENT = "reservations with ids"


def schema_shape(connection: sa.Connection) -> Shape:
    inspector = sa.inspect(connection)
    if not inspector.has_table("reservation"):
        return Shape.EMPTY
    columns = {column["name"] for column in inspector.get_columns("reservation")}
    return Shape.CURRENT if "reservation_id" in columns else Shape.LEGACY


def _property_rows() -> list[dict[str, str]]:
    return [{"property_id": p.id, "description": p.description} for p in sample_properties()]


def _load_legacy(connection: sa.Connection) -> None:
    # The legacy table has no key: the lock keeps two loaders from adding a row twice.
    connection.execute(sa.text("LOCK TABLE reservation IN SHARE ROW EXCLUSIVE MODE"))
    connection.execute(
        sa.text(
            "INSERT INTO property (property_id, description) VALUES (:property_id, :description)"
            " ON CONFLICT (property_id) DO NOTHING"
        ),
        _property_rows(),
    )
    connection.execute(
        sa.text(
            "INSERT INTO reservation (property_id, start_date, number_of_nights)"
            " SELECT :property_id, :start_date, :number_of_nights WHERE NOT EXISTS ("
            "  SELECT 1 FROM reservation WHERE property_id = :property_id"
            "  AND start_date = :start_date AND number_of_nights = :number_of_nights)"
        ),
        [
            {
                "property_id": stay.property_id,
                "start_date": stay.start_date,
                "number_of_nights": stay.number_of_nights,
            }
            for stay in sample_legacy_stays()
        ],
    )


def _load_current(connection: sa.Connection) -> None:
    connection.execute(insert(property_table).values(_property_rows()).on_conflict_do_nothing())
    reservations = [
        {
            "reservation_id": legacy_reservation_id(
                s.property_id, s.start_date, s.number_of_nights
            ),
            "property_id": s.property_id,
            "start_date": s.start_date,
            "number_of_nights": s.number_of_nights,
        }
        for s in sample_legacy_stays()
    ]
    # With no conflict target, DO NOTHING also skips rows the exclusion constraint refuses.
    connection.execute(insert(reservation_table).values(reservations).on_conflict_do_nothing())


def load_sample_data(url: str) -> None:
    """Add the sample properties and stays that are missing; running it again adds nothing.

    Into the legacy tables while the database is still legacy, otherwise with
    the ids `legacy_reservation_id` gives them.
    """
    with one_off_connection(url) as connection, connection.begin():
        shape = schema_shape(connection)
        if shape is Shape.EMPTY:
            raise RuntimeError("the database has no tables yet: migrate it first")
        (_load_legacy if shape is Shape.LEGACY else _load_current)(connection)


def _shape(url: str) -> Shape:
    with one_off_connection(url) as connection:
        return schema_shape(connection)


def prepare_database(url: str) -> None:
    """Migrate the database at `url` to the latest schema and add the sample data.

    An empty database first gets the legacy tables, then the sample rows,
    then the upgrade that gives those rows their ids.
    """
    shape = _shape(url)
    if shape is Shape.EMPTY:
        migrate(url, LEGACY_REVISION)
    if shape is Shape.CURRENT:
        migrate(url)
        load_sample_data(url)
    else:
        load_sample_data(url)
        migrate(url)
