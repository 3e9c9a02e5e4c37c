"""Reading a database's schema and rows, to compare databases in tests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ota_adapters.postgres.engine import one_off_connection
from ota_adapters.sample_data import sample_legacy_stays, sample_properties

LEGACY_DDL = (
    "CREATE TABLE property (property_id text PRIMARY KEY, description text)",
    "CREATE TABLE reservation ("
    " property_id text REFERENCES property, start_date date, number_of_nights int)",
)

_CATALOG = {
    # Listed in column order; the numbers themselves keep gaps after a dropped column.
    "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default,"
    " collation_name, generation_expression FROM information_schema.columns"
    " WHERE table_schema = 'public' AND table_name <> 'alembic_version'"
    " ORDER BY table_name, ordinal_position",
    "constraints": "SELECT conrelid::regclass::text, conname, contype,"
    " pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE connamespace = 'public'::regnamespace"
    " AND conrelid::regclass::text <> 'alembic_version' ORDER BY 1, 2",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes"
    " WHERE schemaname = 'public' AND tablename <> 'alembic_version' ORDER BY 1, 2",
}


def catalog(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """The columns, constraints and indexes of the public schema, Alembic's table aside."""
    with one_off_connection(url) as connection:
        return {
            part: [tuple(row) for row in connection.execute(sa.text(query))]
            for part, query in _CATALOG.items()
        }


def rows(url: str, query: str, **params: object) -> list[tuple[Any, ...]]:
    """The rows of `query`, its `:name` parameters bound to `params`."""
    with one_off_connection(url) as connection:
        return [tuple(row) for row in connection.execute(sa.text(query), params)]


def execute(url: str, *statements: str) -> None:
    with one_off_connection(url) as connection, connection.begin():
        for statement in statements:
            connection.execute(sa.text(statement))


def create_legacy_database(url: str) -> None:
    """The starter database: the legacy tables with the sample rows, no Alembic version."""
    with one_off_connection(url) as connection, connection.begin():
        for statement in LEGACY_DDL:
            connection.execute(sa.text(statement))
        connection.execute(
            sa.text("INSERT INTO property VALUES (:id, :description)"),
            [{"id": p.id, "description": p.description} for p in sample_properties()],
        )
        connection.execute(
            sa.text("INSERT INTO reservation VALUES (:id, :start, :nights)"),
            [
                {"id": s.property_id, "start": s.start_date, "nights": s.number_of_nights}
                for s in sample_legacy_stays()
            ],
        )
