"""What the web layer needs from a storage back end, and the in-memory one.

A back end is a `Storage`: unit-of-work factories for the use cases (read-write,
read-only, and read-only for search, which may read a replica), a readiness check
for `/readyz`, and optionally the connection-pool usage for `/metrics`. The
container chooses one by the `storage` setting.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

import attrs
import sqlalchemy as sa
from sqlalchemy.pool import QueuePool

from ota_adapters.memory import InMemoryStore
from ota_adapters.postgres import (
    PostgresReadOnlyUnitOfWork,
    PostgresUnitOfWork,
    build_engine,
    schema_is_current,
)
from ota_adapters.sample_data import load_sample_data
from ota_core import (
    AvailabilityPolicy,
    Clock,
    ReadOnlyUnitOfWorkFactory,
    StorageUnavailable,
    UnitOfWorkFactory,
)
from ota_core.policy import check_policy_fits
from ota_web.settings import SettingsError


@attrs.frozen
class PoolUsage:
    """Connections of one process's pool, by state."""

    checked_out: int
    idle: int
    overflow: int


def always_ready() -> None:
    """The readiness check of a back end that lives inside the process."""


@attrs.frozen(kw_only=True)
class Storage:
    unit_of_work: UnitOfWorkFactory
    # What only reads: cheaper than `unit_of_work` where the back end can make it so.
    read_only_unit_of_work: ReadOnlyUnitOfWorkFactory = attrs.field(
        default=attrs.Factory(lambda self: self.unit_of_work, takes_self=True)
    )
    # Search only reads, and may read a replica that lags behind: booking, which
    # the primary's constraint decides, stays exact.
    search_unit_of_work: ReadOnlyUnitOfWorkFactory = attrs.field(
        default=attrs.Factory(lambda self: self.read_only_unit_of_work, takes_self=True)
    )
    # Returns when the storage can serve requests; raises `StorageUnavailable` otherwise.
    check_ready: Callable[[], None] = always_ready
    # Usage of each connection pool, by the database it connects to (primary, replica).
    pool_usage: Callable[[], dict[str, PoolUsage]] | None = None


def memory_storage(store: InMemoryStore) -> Storage:
    return Storage(
        unit_of_work=store.unit_of_work, read_only_unit_of_work=store.read_only_unit_of_work
    )


def sample_memory_storage(clock: Clock) -> Storage:
    """A fresh in-memory store holding the sample properties and stays."""
    store = InMemoryStore()
    load_sample_data(store.unit_of_work, recorded_at=clock.now())
    return memory_storage(store)


def _check_schema(engine: sa.Engine) -> None:
    if not schema_is_current(engine):
        raise StorageUnavailable("the database is unreachable or its schema is not up to date")


def _pool_usage(engine: sa.Engine) -> PoolUsage:
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        raise TypeError(f"expected a QueuePool, got {type(pool).__name__}")
    return PoolUsage(
        checked_out=pool.checkedout(), idle=pool.checkedin(), overflow=max(pool.overflow(), 0)
    )


def _pools_usage(engines: dict[str, sa.Engine]) -> dict[str, PoolUsage]:
    return {database: _pool_usage(engine) for database, engine in engines.items()}


def engine_storage(engine: sa.Engine, replica: sa.Engine | None = None) -> Storage:
    """PostgreSQL through `engine`'s connection pool; searches through `replica`'s if given.

    Readiness is the primary's alone: without the replica, searches fail (503) while
    bookings go on, and taking every pod out of service would stop both.
    """
    engines = {"primary": engine} | ({"replica": replica} if replica is not None else {})
    return Storage(
        unit_of_work=functools.partial(PostgresUnitOfWork, engine),
        read_only_unit_of_work=functools.partial(PostgresReadOnlyUnitOfWork, engine),
        search_unit_of_work=functools.partial(PostgresReadOnlyUnitOfWork, replica or engine),
        check_ready=functools.partial(_check_schema, engine),
        pool_usage=functools.partial(_pools_usage, engines),
    )


def postgres_storage(  # noqa: PLR0913 - the pool's settings, each by name
    url: str | None,
    policy: AvailabilityPolicy,
    *,
    replica_url: str | None = None,
    pool_size: int,
    max_overflow: int,
    pool_timeout: int,
    connect_timeout: int,
    statement_timeout_ms: int,
) -> Iterator[Storage]:
    """The PostgreSQL at `url` (searches at `replica_url` if set), one pool each per process.

    A `providers.Resource`: the pools are disposed when the container shuts down.
    """
    if url is None:
        raise SettingsError("STORAGE=postgres needs DATABASE_URL (`make run` provides one)")
    try:
        check_policy_fits(policy)
    except ValueError as error:
        raise SettingsError(f"MAX_NIGHTS: {error}") from None
    connect = functools.partial(
        build_engine,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        connect_timeout_s=connect_timeout,
        statement_timeout_ms=statement_timeout_ms,
    )
    engine = connect(url)
    replica = connect(replica_url) if replica_url is not None else None
    try:
        yield engine_storage(engine, replica)
    finally:
        engine.dispose()
        if replica is not None:
            replica.dispose()
