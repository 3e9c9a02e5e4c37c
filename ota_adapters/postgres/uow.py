"""Units of work: one pooled connection and one transaction each (`engine.connect()`, `begin()`).

`PostgresUnitOfWork` is committed by `commit` and rolled back otherwise; READ
COMMITTED, with the rows it reads by id locked (`repositories`).
`PostgresReadOnlyUnitOfWork` only reads, locking nothing, and rolls back: each
read sees what was committed before it began. `partial(PostgresUnitOfWork, engine)`
and `partial(PostgresReadOnlyUnitOfWork, engine)` are the factories use cases take;
`engine` is one of `build_engine`'s; `search_bounds` changes what a page of search
may cost before it changes stage, never its answer (the contract tests shrink them
to run every stage on a handful of properties).

Read-only work does not run in autocommit on the same pool: SQLAlchemy then resets
the isolation level when it takes the connection back, psycopg2 sends a `SET` for
that, and a connection lost just before it is never returned to the pool (ADR 0021).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import sqlalchemy as sa

from ota_adapters.postgres.connection import UnitConnection
from ota_adapters.postgres.keys import PostgresIdempotencyKeys
from ota_adapters.postgres.properties import PostgresPropertyReader, PostgresPropertyRepository
from ota_adapters.postgres.repositories import (
    PostgresReservationReader,
    PostgresReservationRepository,
)
from ota_adapters.postgres.search import DEFAULT_SEARCH_BOUNDS, SearchBounds
from ota_core import ReadOnlyUnitOfWork, UnitOfWork


class _OnOneConnection:
    """Checks a connection out for the `with` block and gives it back when the block ends."""

    def __init__(
        self, engine: sa.Engine, *, search_bounds: SearchBounds = DEFAULT_SEARCH_BOUNDS
    ) -> None:
        self._engine = engine
        self._search_bounds = search_bounds
        self._connection: UnitConnection | None = None

    def _check_out(self) -> UnitConnection:
        self._connection = UnitConnection(self._engine)
        return self._connection

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection = self._active(), None
        connection.close()  # rolling back what was not committed

    def _active(self) -> UnitConnection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside its `with` block")
        return self._connection


class PostgresUnitOfWork(_OnOneConnection, UnitOfWork):
    """`with PostgresUnitOfWork(engine) as uow:` is one transaction."""

    def __enter__(self) -> Self:
        connection = self._check_out()
        self.properties = PostgresPropertyRepository(connection, search_bounds=self._search_bounds)
        self.reservations = PostgresReservationRepository(connection)
        self.idempotency_keys = PostgresIdempotencyKeys(connection)
        return self

    def commit(self) -> None:
        self._active().commit()

    def rollback(self) -> None:
        self._active().rollback()


class PostgresReadOnlyUnitOfWork(_OnOneConnection, ReadOnlyUnitOfWork):
    """`with PostgresReadOnlyUnitOfWork(engine) as uow:` reads, and changes nothing."""

    def __enter__(self) -> Self:
        connection = self._check_out()
        self.properties = PostgresPropertyReader(connection, search_bounds=self._search_bounds)
        self.reservations = PostgresReservationReader(connection)
        return self
