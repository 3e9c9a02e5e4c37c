"""What the web layer needs from a storage back end, and the in-memory one.

A back end is a `Storage`: a unit-of-work factory for the use cases, a
readiness check for `/readyz`, and optionally the connection-pool usage for
`/metrics`. The container chooses one by the `storage` setting.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

import attrs
import sqlalchemy as sa
from sqlalchemy.pool import QueuePool

from ota_adapters.memory import InMemoryStore
from ota_adapters.postgres import (
    PostgresUnitOfWork,
    build_engine,
    check_policy_fits,
    schema_is_current,
)
from ota_adapters.sample_data import load_sample_data
from ota_core import AvailabilityPolicy, Clock, StorageUnavailable, UnitOfWorkFactory
from ota_web.settings import SettingsError


@attrs.frozen
class PoolUsage:
    """Connections of one process's pool, by state."""

    checked_out: int
    idle: int
    overflow: int


def always_ready() -> None:
    """The readiness check of a back end that lives inside the process."""


@attrs.frozen
class Storage:
    unit_of_work: UnitOfWorkFactory
    # Returns when the storage can serve requests; raises `StorageUnavailable` otherwise.
    check_ready: Callable[[], None] = always_ready
    pool_usage: Callable[[], PoolUsage] | None = None


def memory_storage(store: InMemoryStore) -> Storage:
    return Storage(unit_of_work=store.unit_of_work)


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


def engine_storage(engine: sa.Engine) -> Storage:
    """PostgreSQL through `engine`'s connection pool."""
    return Storage(
        unit_of_work=functools.partial(PostgresUnitOfWork, engine),
        check_ready=functools.partial(_check_schema, engine),
        pool_usage=functools.partial(_pool_usage, engine),
    )


def postgres_storage(  # noqa: PLR0913 - the pool's settings, each by name
    url: str | None,
    policy: AvailabilityPolicy,
    *,
    pool_size: int,
    max_overflow: int,
    pool_timeout: int,
    connect_timeout: int,
    statement_timeout_ms: int,
) -> Iterator[Storage]:
    """The PostgreSQL at `url`, with one connection pool per process.

    A `providers.Resource`: the pool is disposed when the container shuts down.
    """
    if url is None:
        raise SettingsError("STORAGE=postgres needs DATABASE_URL (`make run` provides one)")
    try:
        check_policy_fits(policy)
    except ValueError as error:
        raise SettingsError(f"MAX_NIGHTS: {error}") from None
    engine = build_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        connect_timeout_s=connect_timeout,
        statement_timeout_ms=statement_timeout_ms,
    )
    try:
        yield engine_storage(engine)
    finally:
        engine.dispose()
