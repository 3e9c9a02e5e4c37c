"""The benchmarks' generated database has the schema the migrations make."""

from __future__ import annotations

from bench.generate import Shape, generate
from ota_adapters.postgres.migration import migrate
from tests.integration.postgres.catalog import catalog
from tests.postgres_servers import scratch_database


def test_generated_tables_are_the_migrated_schema(server: str) -> None:
    with scratch_database(server) as migrated, scratch_database(server) as generated:
        migrate(migrated)
        generate(generated, Shape(properties=10, reservations=50), {}, replace=True)
        assert catalog(generated) == catalog(migrated)
