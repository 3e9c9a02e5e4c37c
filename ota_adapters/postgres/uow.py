"""One unit of work = one pooled connection and one transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import sqlalchemy as sa

from ota_adapters.postgres.errors import storage_errors
from ota_adapters.postgres.link import Link
from ota_adapters.postgres.repositories import (
    PostgresIdempotencyKeys,
    PostgresPropertyRepository,
    PostgresReservationRepository,
)
from ota_core import StorageUnavailable, UnitOfWork


class PostgresUnitOfWork(UnitOfWork):
    """`with PostgresUnitOfWork(engine) as uow:` checks out a connection for the block.

    The transaction begins with the block's first write (`Link`); what it
    wrote is kept by `commit` and undone by leaving the block without it.
    READ COMMITTED is enough: the constraints, not reads, decide every
    conflict. `engine` is one of `build_engine`'s; `partial(PostgresUnitOfWork,
    engine)` is the factory use cases take.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._link: Link | None = None

    def __enter__(self) -> Self:
        link = Link(self._engine)
        self._link = link
        self.properties = PostgresPropertyRepository(link)
        self.reservations = PostgresReservationRepository(link)
        self.idempotency_keys = PostgresIdempotencyKeys(link)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        link = self._active()
        self._link = None
        try:
            _rollback(link)
        except StorageUnavailable:
            if exc is None:
                raise
            # The error already on its way out says more than this one.
        finally:
            link.close()

    def commit(self) -> None:
        with storage_errors():
            self._active().commit()

    def rollback(self) -> None:
        _rollback(self._active())

    def _active(self) -> Link:
        if self._link is None:
            raise RuntimeError("use the unit of work inside its `with` block")
        return self._link


def _rollback(link: Link) -> None:
    with storage_errors():
        link.rollback()
