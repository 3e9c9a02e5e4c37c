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


def postgres_storage(engine_fixture: str) -> Harness:
    """A harness over the session's database on one server, emptied for each test."""

    @contextmanager
    def harness(request: pytest.FixtureRequest) -> Iterator[Factories]:
        engine: sa.Engine = request.getfixturevalue(engine_fixture)
        truncate(engine)
        yield Factories(
            partial(PostgresUnitOfWork, engine), partial(PostgresReadOnlyUnitOfWork, engine)
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
def storage(request: pytest.FixtureRequest) -> Iterator[Factories]:
    with HARNESSES[request.param](request) as factories:
        yield factories


@pytest.fixture
def uow(storage: Factories) -> UnitOfWorkFactory:
    return storage.read_write


@pytest.fixture
def read_only_uow(storage: Factories) -> ReadOnlyUnitOfWorkFactory:
    return storage.read_only
