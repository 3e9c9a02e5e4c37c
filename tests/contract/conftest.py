"""Every storage adapter runs the same contract suite.

An adapter joins by adding a harness to `HARNESSES`: a context manager that
yields the factories of a fresh, empty storage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial

import attrs
import pytest
import sqlalchemy as sa

from ota_adapters.memory import InMemoryStore
from ota_adapters.postgres import PostgresReadOnlyUnitOfWork, PostgresUnitOfWork
from ota_adapters.postgres.search import SearchBounds
from ota_core import ReadOnlyUnitOfWorkFactory, UnitOfWorkFactory
from tests.postgres_servers import truncate


@attrs.frozen
class Factories:
    """The unit-of-work factories of one storage."""

    read_write: UnitOfWorkFactory
    read_only: ReadOnlyUnitOfWorkFactory


Harness = Callable[[pytest.FixtureRequest], AbstractContextManager[Factories]]


@contextmanager
def memory_storage(_request: pytest.FixtureRequest) -> Iterator[Factories]:
    store = InMemoryStore()
    yield Factories(store.unit_of_work, store.read_only_unit_of_work)


# Bounds this small make a handful of properties take every stage of a page of search
# (probes, the capped read of the gaps, the walk by chunk); bounds never change a page.
SMALL_SEARCH_BOUNDS = SearchBounds(probe_budget=2, sparse_cap=3)


def postgres_storage(engine_fixture: str) -> Harness:
    """A harness over the session's database on one server, emptied for each test."""

    @contextmanager
    def harness(request: pytest.FixtureRequest) -> Iterator[Factories]:
        engine: sa.Engine = request.getfixturevalue(engine_fixture)
        truncate(engine)
        yield Factories(
            partial(PostgresUnitOfWork, engine, search_bounds=SMALL_SEARCH_BOUNDS),
            partial(PostgresReadOnlyUnitOfWork, engine, search_bounds=SMALL_SEARCH_BOUNDS),
        )

    return harness


HARNESSES: dict[str, Harness] = {
    "memory": memory_storage,
    "postgres15": postgres_storage("postgres15_engine"),
    "embedded-postgres18": postgres_storage("embedded_engine"),
    "citus": postgres_storage("citus_engine"),
}

MARKS = {
    "postgres15": pytest.mark.postgres,
    "embedded-postgres18": pytest.mark.postgres,
    "citus": pytest.mark.citus,
}


@pytest.fixture(params=[pytest.param(name, marks=MARKS.get(name, ())) for name in HARNESSES])
def fresh_storage(
    request: pytest.FixtureRequest,
) -> Callable[[], AbstractContextManager[Factories]]:
    """Makes a fresh, empty storage of one adapter each time it is called (per example)."""
    return partial(HARNESSES[request.param], request)


@pytest.fixture
def storage(
    fresh_storage: Callable[[], AbstractContextManager[Factories]],
) -> Iterator[Factories]:
    with fresh_storage() as factories:
        yield factories


@pytest.fixture
def uow(storage: Factories) -> UnitOfWorkFactory:
    return storage.read_write


@pytest.fixture
def read_only_uow(storage: Factories) -> ReadOnlyUnitOfWorkFactory:
    return storage.read_only
