"""The cluster is up, and `ota migrate` distributed the tables there."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ota_adapters.postgres.citus import SHARD_COUNT, distribute

pytestmark = pytest.mark.citus


def test_the_tables_are_distributed_and_colocated(citus_engine: sa.Engine) -> None:
    with citus_engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT table_name::text, distribution_column, colocation_id, shard_count"
                " FROM citus_tables ORDER BY table_name::text"
            )
        ).all()
    tables = {row.table_name: row for row in rows}
    assert {name: row.distribution_column for name, row in tables.items()} == {
        "idempotency_key": "key",
        "property": "property_id",
        "reservation": "property_id",
    }
    assert tables["reservation"].colocation_id == tables["property"].colocation_id
    assert {row.shard_count for row in rows} == {SHARD_COUNT}


def _layout(engine: sa.Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        tables = connection.execute(
            sa.text(
                "SELECT table_name::text, distribution_column, colocation_id, shard_count"
                " FROM citus_tables"
            )
        )
        constraints = connection.execute(
            sa.text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
            )
        )
        return sorted(map(tuple, [*tables, *constraints]))


def test_distributing_again_changes_nothing(citus_engine: sa.Engine) -> None:
    before = _layout(citus_engine)

    with citus_engine.begin() as connection:
        assert distribute(connection)

    assert _layout(citus_engine) == before
    assert (
        "reservation",
        "reservation_pkey",
        "PRIMARY KEY (reservation_id, property_id)",
    ) in before
