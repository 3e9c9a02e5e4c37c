"""The cluster is up, and `ota migrate` distributed the tables there."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ota_adapters.postgres.citus import SHARD_COUNT

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
