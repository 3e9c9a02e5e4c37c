"""One unit of work = one pooled connection and one transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import sqlalchemy as sa

from ota_adapters.postgres.errors import storage_errors
from ota_adapters.postgres.repositories import (
    PostgresIdempotencyKeys,
    PostgresPropertyRepository,
    PostgresReservationRepository,
)
from ota_core import StorageUnavailable, UnitOfWork


class PostgresUnitOfWork(UnitOfWork):
    """`with PostgresUnitOfWork(engine) as uow:` checks out a connection for the block.

    READ COMMITTED is enough: the constraints, not reads, decide every
    conflict. `partial(PostgresUnitOfWork, engine)` is the factory use cases take.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._connection: sa.Connection | None = None

    def __enter__(self) -> Self:
        with storage_errors():
            connection = self._engine.connect()
        self._connection = connection
        self.properties = PostgresPropertyRepository(connection)
        self.reservations = PostgresReservationRepository(connection)
        self.idempotency_keys = PostgresIdempotencyKeys(connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection = self._active()
        self._connection = None
        try:
            _rollback(connection)
        except StorageUnavailable:
            if exc is None:
                raise
            # The error already on its way out says more than this one.
        finally:
            connection.close()

    def commit(self) -> None:
        with storage_errors():
            self._active().commit()

    def rollback(self) -> None:
        _rollback(self._active())

    def _active(self) -> sa.Connection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside its `with` block")
        return self._connection


def _rollback(connection: sa.Connection) -> None:
    with storage_errors():
        connection.rollback()
