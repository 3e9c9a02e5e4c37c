"""The unit of work's connection: where statements run, and where a dead one is replaced.

Two ways to run a statement share one transaction:

- `execute`: SQLAlchemy's `Connection.execute`, for everything but the hot path;
- `run`: a `DriverStatement` (compiled once by SQLAlchemy) on the psycopg2 cursor
  underneath, for the three statements every request makes: a page of search, a
  booking's INSERT and a reservation read by id. It skips the per-call work of
  `Connection.execute` (cache key, execution context, result wrapping); its driver
  errors are wrapped as SQLAlchemy's, so both ways fail alike (ADR 0015).

Pooled connections are not pinged at checkout: a connection the server closed
while it sat in the pool fails on the unit of work's first statement, which is
then run once more on a new connection. Nothing ran on the dead one, so nothing
is done twice, and no request pays a round trip to find out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import psycopg2
import sqlalchemy as sa
from loguru import logger
from psycopg2.extensions import connection as DriverConnection
from psycopg2.extensions import cursor as DriverCursor

from ota_adapters.postgres.errors import first_line, lost_while_pooled, storage_errors
from ota_adapters.postgres.statements import DriverStatement

T = TypeVar("T")

Rows = list[tuple[Any, ...]]


class Link:
    """One pooled connection, checked out for one unit of work."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._connection = _checkout(engine)
        self._used = False

    @property
    def connection(self) -> sa.Connection:
        return self._connection

    def execute(
        self, statement: sa.Executable, params: Mapping[str, object] | None = None
    ) -> sa.CursorResult[Any]:
        """`statement` through SQLAlchemy."""
        return self._attempt(lambda on: on.execute(statement, params))

    def run(self, statement: DriverStatement, values: Mapping[str, object]) -> Rows:
        """`statement` on the driver's cursor: its rows (none for a write)."""
        return self._attempt(lambda on: _on_driver(on, statement, values, _rows))

    def rowcount(self, statement: DriverStatement, values: Mapping[str, object]) -> int:
        """`statement` on the driver's cursor: how many rows it wrote."""
        return self._attempt(lambda on: _on_driver(on, statement, values, _rowcount))

    def close(self) -> None:
        self._connection.close()

    def _attempt(self, statement: Callable[[sa.Connection], T]) -> T:
        if self._used:
            return statement(self._connection)
        self._used = True
        try:
            return statement(self._connection)
        except sa.exc.DBAPIError as error:
            if not lost_while_pooled(error):
                raise
            logger.info("a pooled database connection was closed: {}", first_line(error))
        self._connection.close()
        self._connection = _checkout(self._engine)
        return statement(self._connection)


def _checkout(engine: sa.Engine) -> sa.Connection:
    with storage_errors():
        return engine.connect()


def _driver(connection: sa.Connection) -> DriverConnection:
    if not connection.in_transaction():
        connection.begin()  # so that `commit()` commits what the cursor does
    return cast(DriverConnection, connection.connection.driver_connection)


def _on_driver(
    connection: sa.Connection,
    statement: DriverStatement,
    values: Mapping[str, object],
    outcome: Callable[[DriverCursor], T],
) -> T:
    driver = _driver(connection)
    params = statement.params(values)
    try:
        with driver.cursor() as cursor:
            cursor.execute(statement.sql, params)
            return outcome(cursor)
    except psycopg2.Error as error:
        raise _wrapped(connection, statement, params, error) from error


def _rows(cursor: DriverCursor) -> Rows:
    return cursor.fetchall() if cursor.description is not None else []


def _rowcount(cursor: DriverCursor) -> int:
    return int(cursor.rowcount)


def _wrapped(
    connection: sa.Connection,
    statement: DriverStatement,
    params: Mapping[str, object],
    error: psycopg2.Error,
) -> sa.exc.DBAPIError:
    """The error as `Connection.execute` would raise it; a lost connection leaves the pool."""
    lost = connection.dialect.is_disconnect(cast(Any, error), connection.connection, None)
    if lost:
        connection.invalidate(error)
    wrapped = sa.exc.DBAPIError.instance(
        statement.sql, dict(params), error, psycopg2.Error, connection_invalidated=lost
    )
    return cast(sa.exc.DBAPIError, wrapped)
