"""The cluster is up, `ota migrate` distributed the tables; redoing it changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from ota_adapters.postgres import build_engine, prepare_database
from ota_adapters.postgres.citus import SHARD_COUNT, distribute
from ota_adapters.postgres.databases import create_database, with_database
from ota_adapters.sample_data import sample_legacy_stays
from tests.citus.cluster import CitusCluster, enable_citus

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


def test_a_database_migrated_before_citus_came_is_distributed_by_the_module(
    citus: CitusCluster, citus_engine: sa.Engine
) -> None:
    name = "ota_later"
    for node in (citus.coordinator, *citus.workers):
        create_database(node.admin_url, name)
    url = with_database(citus.admin_url(), name)
    prepare_database(url)  # the sample data, every migration: 0007 finds no Citus
    enable_citus(url, citus.workers)

    done = subprocess.run(
        [sys.executable, "-m", "ota_adapters.postgres.citus"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    engine = build_engine(url)
    try:
        assert _layout(engine) == _layout(citus_engine)  # as if migrated on the cluster
        with engine.connect() as connection:
            stays = connection.scalar(sa.text("SELECT count(*) FROM reservation"))
        assert stays == len(sample_legacy_stays())
    finally:
        engine.dispose()
