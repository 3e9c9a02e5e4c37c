"""What the web layer needs from a storage back end, and the in-memory one.

A back end is a `Storage`: a unit-of-work factory for the use cases, a
readiness check for `/readyz`, and optionally the connection-pool usage for
`/metrics`. The container chooses one by the `storage` setting.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ota_adapters.memory import InMemoryStore
from ota_adapters.sample_data import load_sample_data
from ota_core import Clock, UnitOfWorkFactory


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
