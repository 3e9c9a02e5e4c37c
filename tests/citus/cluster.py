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

import attrs
import sqlalchemy as sa

from ota_adapters.postgres.engine import one_off_connection
from tests.citus.build import built_citus
from tests.faults.cluster import Cluster, throwaway_cluster

WORKERS = 2
# The racing tests book through 20 pooled connections; each may hold one to every worker.
MAX_CONNECTIONS = 150


def settings(build: Path) -> tuple[str, ...]:
    return (
        "shared_preload_libraries = 'citus'",
        f"extension_control_path = '{build}:$system'",
        f"dynamic_library_path = '{build / 'lib'}:$libdir'",
        # A test session's shards are few and small: keep each node's memory modest.
        "shared_buffers = '32MB'",
        "max_prepared_transactions = 100",  # two-phase commits across workers
        # The coordinator keeps its connections to the workers instead of reopening them.
        "citus.max_cached_conns_per_worker = 4",
        "citus.log_distributed_deadlock_detection = off",
    )


@attrs.frozen
class CitusCluster:
    coordinator: Cluster
    workers: tuple[Cluster, ...]

    def admin_url(self) -> str:
        return self.coordinator.admin_url


def _run(url: str, *statements: str) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    with one_off_connection(url, autocommit=True) as connection:
        for statement in statements:
            result = connection.execute(sa.text(statement))
            rows = [tuple(row) for row in result] if result.returns_rows else []
    return rows


def enable_citus(url: str, workers: tuple[Cluster, ...]) -> None:
    """Create the extension in the database of `url` on every node, and join them."""
    database = url.rsplit("/", 1)[1]
    for worker in workers:
        _run(f"{worker.admin_url.rsplit('/', 1)[0]}/{database}", "CREATE EXTENSION citus")
    port = int(url.split(":")[2].split("/", maxsplit=1)[0])
    _run(
        url,
        "CREATE EXTENSION citus",
        f"SELECT citus_set_coordinator_host('127.0.0.1', {port})",
        *(f"SELECT citus_add_node('127.0.0.1', {worker.port})" for worker in workers),
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
        with one_off_connection(node.admin_url, autocommit=True) as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = f"{cluster.admin_url().rsplit('/', 1)[0]}/{name}"
    enable_citus(url, cluster.workers)
    return url


def in_ci() -> bool:
    return bool(os.environ.get("CI"))
