"""A unit of work's connection: SQLAlchemy's, with a closed pooled connection replaced once.

Pooled connections are not pinged at checkout (SQLAlchemy's "optimistic" way of
handling disconnects): a connection the server closed while it sat in the pool
(a restart, a failover) fails the unit of work's first statement. SQLAlchemy then
invalidates it, and every connection the pool held before it, and the statement
runs once more on a new connection: nothing ran on the closed one, so nothing runs
twice, and no request pays a round trip to find out. A server that did not answer
within the deadline (`deadlines.NoAnswer`) is not asked again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from loguru import logger

from ota_adapters.postgres.errors import first_line, lost_while_pooled, storage_errors


class UnitConnection:
    """One pooled connection, checked out for one unit of work and its one transaction."""

    def __init__(self, engine: sa.Engine) -> None:
        with storage_errors():
            self._connection = engine.connect()
        self._connection.begin()
        self._first = True

    def run(
        self, statement: sa.Executable, values: Mapping[str, Any]
    ) -> sa.CursorResult[*tuple[Any, ...]]:
        with storage_errors():
            if not self._first:
                return self._connection.execute(statement, values)
            self._first = False
            try:
                return self._connection.execute(statement, values)
            except sa.exc.DBAPIError as error:
                if not lost_while_pooled(error):
                    raise
                logger.info("a pooled database connection was closed: {}", first_line(error))
            self._connection.rollback()  # ends the lost transaction; the next use reconnects
            self._connection.begin()
            return self._connection.execute(statement, values)

    @property
    def info(self) -> dict[Any, Any]:
        """What is known of the connection to the server; kept while the pool holds it."""
        return self._connection.info

    def commit(self) -> None:
        with storage_errors():
            self._connection.commit()

    def rollback(self) -> None:
        with storage_errors():
            self._connection.rollback()

    def close(self) -> None:
        """Back to the pool, rolled back; a connection lost meanwhile is dropped instead.

        Nothing is lost then (the server rolls back what a lost connection held), and
        what the unit of work answered stands.
        """
        try:
            self._connection.close()
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
            logger.info("a database connection was lost at the end of its unit of work: {}",
                        first_line(error))  # fmt: skip
