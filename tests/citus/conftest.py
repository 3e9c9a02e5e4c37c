"""Within tests/citus, the fixtures the single-node tests use are the cluster's.

So the tests imported from `tests/integration` run unchanged on Citus.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ota_adapters.postgres import build_engine, prepare_database
from tests.citus.cluster import CitusCluster, create_database_on_every_node
from tests.postgres_servers import truncate


@pytest.fixture
def database(citus: CitusCluster) -> str:
    """A new database on every node, with Citus, not migrated (the `ota` command's tests)."""
    return create_database_on_every_node(citus, f"ota_{secrets.token_hex(4)}")


@pytest.fixture(scope="session")
def session_engine(citus_engine: sa.Engine) -> sa.Engine:
    return citus_engine


@pytest.fixture
def engine(citus_engine: sa.Engine) -> sa.Engine:
    """The cluster's migrated database, emptied."""
    truncate(citus_engine)
    return citus_engine


@pytest.fixture(scope="session")
def sample_engine(citus: CitusCluster) -> Iterator[sa.Engine]:
    """A database prepared as `make run` prepares one: legacy rows, then every migration."""
    url = create_database_on_every_node(citus, "ota_sample")
    prepare_database(url)
    engine = build_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
