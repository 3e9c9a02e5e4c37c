"""Every storage adapter runs the same contract suite.

An adapter joins by adding a harness to `HARNESSES`: a context manager that
yields a fresh, empty `UnitOfWorkFactory`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from ota_adapters.memory import InMemoryStore
from ota_core import UnitOfWorkFactory

Harness = Callable[[pytest.FixtureRequest], AbstractContextManager[UnitOfWorkFactory]]


@contextmanager
def memory_storage(_request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
    yield InMemoryStore().unit_of_work


HARNESSES: dict[str, Harness] = {
    "memory": memory_storage,
}


@pytest.fixture(params=list(HARNESSES))
def uow(request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
    with HARNESSES[request.param](request) as factory:
        yield factory
