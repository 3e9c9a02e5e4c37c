"""Databases for the fault tests: a cluster a test may stop, or a scratch database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ota_adapters.postgres import prepare_database
from ota_adapters.postgres.databases import create_database, with_database
from tests.faults.cluster import Cluster, throwaway_cluster
from tests.postgres_servers import scratch_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL of the test's own, to stop and start."""
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture
def cluster_database(cluster: Cluster) -> str:
    """A database on `cluster`, prepared as `make run` prepares one."""
    create_database(cluster.admin_url, "ota")
    url = with_database(cluster.admin_url, "ota")
    prepare_database(url)
    return url


@pytest.fixture
def sample_database(embedded_postgres: str) -> Iterator[str]:
    """A scratch database on the session's embedded server, with the sample data."""
    with scratch_database(embedded_postgres) as url:
        prepare_database(url)
        yield url
