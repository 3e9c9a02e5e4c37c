"""Each module's instances share one database on the embedded PostgreSQL, with the sample data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ota_adapters.postgres import prepare_database
from tests.postgres_servers import scratch_database


@pytest.fixture(scope="module")
def database(embedded_postgres: str) -> Iterator[str]:
    """A scratch database prepared as `make run` prepares one: migrated, sample data loaded."""
    with scratch_database(embedded_postgres) as url:
        prepare_database(url)
        yield url
