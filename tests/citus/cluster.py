"""A Citus cluster of the tests' own: a coordinator and two workers on loopback.

Three throwaway PostgreSQL 18 clusters (`tests/faults/cluster.py`), each
loading Citus from the cached build (`build`) through PostgreSQL 18's
`extension_control_path` and `dynamic_library_path`. The workers are added to
the coordinator's metadata; the project's migrations then run on the
coordinator, as `ota migrate` would on a real one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import attrs
import sqlalchemy as sa

from ota_adapters.postgres.databases import create_database, with_database
from ota_adapters.postgres.engine import one_off_connection
from tests.citus.build import built_citus
from tests.faults.cluster import Cluster, throwaway_cluster

WORKERS = 2
# The racing tests book through 20 pooled connections; each may hold one to every worker.
MAX_CONNECTIONS = 150


def settings(build: Path) -> tuple[str, ...]:
    """Each node's postgresql.conf lines: Citus loaded from the cached `build`."""
    return (
        "shared_preload_libraries = 'citus'",
        f"extension_control_path = '{build}:$system'",
        f"dynamic_library_path = '{build / 'lib'}:$libdir'",
        # A test session's shards are few and small: keep each node's memory modest.
        "shared_buffers = '32MB'",
        "max_prepared_transactions = 100",  # two-phase commits across workers
        # The coordinator keeps its connections to the workers instead of reopening them.
        "citus.max_cached_conns_per_worker = 4",
        # ... and opens at most this many to each worker, below the worker's own limit: when
        # reads that ask every shard crowd them, a statement waits instead of failing with
        # "too many clients" (100 clients on 10M stays, bench/RESULTS.md).
        f"citus.max_shared_pool_size = {MAX_CONNECTIONS * 2 // 3}",
    )


@attrs.frozen
class CitusCluster:
    coordinator: Cluster
    workers: tuple[Cluster, ...]

    def admin_url(self) -> str:
        return self.coordinator.admin_url


def _run(url: str, *statements: tuple[str, dict[str, object]]) -> None:
    with one_off_connection(url, autocommit=True) as connection:
        for statement, values in statements:
            connection.execute(sa.text(statement), values)


def enable_citus(url: str, workers: tuple[Cluster, ...]) -> None:
    """Create the extension in the database of `url` on every node, and join them."""
    database = urlsplit(url).path.lstrip("/")
    for worker in workers:
        _run(with_database(worker.admin_url, database), ("CREATE EXTENSION citus", {}))
    _run(
        url,
        ("CREATE EXTENSION citus", {}),
        (
            "SELECT citus_set_coordinator_host('127.0.0.1', :port)",
            {"port": urlsplit(url).port},
        ),
        *(
            ("SELECT citus_add_node('127.0.0.1', :port)", {"port": worker.port})
            for worker in workers
        ),
    )


@contextmanager
def citus_cluster() -> Iterator[CitusCluster]:
    """A coordinator and `WORKERS` workers, started; Citus is enabled in each `postgres` database.

    Raises `CitusUnavailable` when Citus cannot be built here.
    """
    conf = settings(built_citus())
    with ExitStack() as stack:
        nodes = [
            stack.enter_context(throwaway_cluster(conf, MAX_CONNECTIONS))
            for _ in range(WORKERS + 1)
        ]
        cluster = CitusCluster(nodes[0], tuple(nodes[1:]))
        enable_citus(cluster.admin_url(), cluster.workers)
        yield cluster


def create_database_on_every_node(cluster: CitusCluster, name: str) -> str:
    """A new database `name` on every node, with Citus enabled; returns the coordinator's URL."""
    for node in (cluster.coordinator, *cluster.workers):
        create_database(node.admin_url, name)
    url = with_database(cluster.admin_url(), name)
    enable_citus(url, cluster.workers)
    return url


def in_ci() -> bool:
    return bool(os.environ.get("CI"))
