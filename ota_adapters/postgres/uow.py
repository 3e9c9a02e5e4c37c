"""Units of work: one pooled connection each, and one transaction or none.

`PostgresUnitOfWork` is one transaction (`engine.connect()`, `begin()`), committed
by `commit` and rolled back otherwise; READ COMMITTED, with the rows it reads by id
locked (`repositories`). `PostgresReadOnlyUnitOfWork` runs each read on its own in
autocommit, each seeing what was committed before it began. `partial(
PostgresUnitOfWork, engine)` and `read_only_factory(engine)` are the factories use
cases take; `engine` is one of `build_engine`'s.
"""

from __future__ import annotations

import functools
from types import TracebackType
from typing import Self

import sqlalchemy as sa

from ota_adapters.postgres.connection import UnitConnection
from ota_adapters.postgres.repositories import (
    PostgresIdempotencyKeys,
    PostgresPropertyReader,
    PostgresPropertyRepository,
    PostgresReservationReader,
    PostgresReservationRepository,
)
from ota_core import ReadOnlyUnitOfWork, ReadOnlyUnitOfWorkFactory, StorageUnavailable, UnitOfWork


class _OnOneConnection:
    """Checks a connection out for the `with` block and gives it back when the block ends."""

    _in_transaction: bool

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._connection: UnitConnection | None = None

    def _check_out(self) -> UnitConnection:
        self._connection = UnitConnection(self._engine, transaction=self._in_transaction)
        return self._connection

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection = self._active(), None
        try:
            connection.close()  # rolling back what was not committed
        except StorageUnavailable:
            if exc is None:
                raise
            # The error already on its way out says more than this one.

    def _active(self) -> UnitConnection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside its `with` block")
        return self._connection


class PostgresUnitOfWork(_OnOneConnection, UnitOfWork):
    """`with PostgresUnitOfWork(engine) as uow:` is one transaction."""

    _in_transaction = True

    def __enter__(self) -> Self:
        connection = self._check_out()
        self.properties = PostgresPropertyRepository(connection)
        self.reservations = PostgresReservationRepository(connection)
        self.idempotency_keys = PostgresIdempotencyKeys(connection)
        return self

    def commit(self) -> None:
        self._active().commit()

    def rollback(self) -> None:
        self._active().rollback()


class PostgresReadOnlyUnitOfWork(_OnOneConnection, ReadOnlyUnitOfWork):
    """`with PostgresReadOnlyUnitOfWork(engine) as uow:` reads, `engine` in autocommit."""

    _in_transaction = False

    def __enter__(self) -> Self:
        connection = self._check_out()
        self.properties = PostgresPropertyReader(connection)
        self.reservations = PostgresReservationReader(connection)
        return self


def read_only_factory(engine: sa.Engine) -> ReadOnlyUnitOfWorkFactory:
    """Read-only units of work on `engine`'s pool, their connections in autocommit."""
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    return functools.partial(PostgresReadOnlyUnitOfWork, autocommit)
