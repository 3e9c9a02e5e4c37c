"""Every storage adapter runs the same contract suite.

An adapter joins by adding a harness to `HARNESSES`: a context manager that
yields a fresh, empty `UnitOfWorkFactory`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial

import pytest
import sqlalchemy as sa

from ota_adapters.memory import InMemoryStore
from ota_adapters.postgres import PostgresUnitOfWork
from ota_core import UnitOfWorkFactory
from tests.postgres_servers import truncate

Harness = Callable[[pytest.FixtureRequest], AbstractContextManager[UnitOfWorkFactory]]


@contextmanager
def memory_storage(_request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
    yield InMemoryStore().unit_of_work


def postgres_storage(engine_fixture: str) -> Harness:
    """A harness over the session's database on one server, emptied for each test."""

    @contextmanager
    def harness(request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
        engine: sa.Engine = request.getfixturevalue(engine_fixture)
        truncate(engine)
        yield partial(PostgresUnitOfWork, engine)

    return harness


HARNESSES: dict[str, Harness] = {
    "memory": memory_storage,
    "postgres15": postgres_storage("postgres15_engine"),
    "embedded-postgres18": postgres_storage("embedded_engine"),
}

MARKS = {"postgres15": pytest.mark.postgres, "embedded-postgres18": pytest.mark.postgres}


@pytest.fixture(params=[pytest.param(name, marks=MARKS.get(name, ())) for name in HARNESSES])
def uow(request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
    with HARNESSES[request.param](request) as factory:
        yield factory
