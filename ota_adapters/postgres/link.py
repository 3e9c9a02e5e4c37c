"""The unit of work's connection: where statements run, and where a dead one is replaced.

A link holds one pooled psycopg2 connection for one unit of work and runs its
statements on the driver's cursor (`DriverStatement`s, compiled once by
SQLAlchemy; ADR 0015). Driver errors are wrapped as SQLAlchemy's, as
`Connection.execute` would raise them, so `errors` reads them alike.

The transaction begins with the unit of work's first write, in the same round
trip (`BEGIN;` goes before the statement), and ends with `commit` or `rollback`;
reads before it run each on its own. Under READ COMMITTED every statement reads
its own snapshot anyway, so a read outside the transaction sees what it would
have seen inside; what it saves is two round trips (BEGIN, and COMMIT or
ROLLBACK) for a unit of work that only reads, and one for one that writes
(ADR 0018). Whether a transaction is open is what libpq last heard from the
server (its transaction status), never a flag of ours.

Pooled connections are not pinged at checkout: a connection the server closed
while it sat in the pool fails on the unit of work's first statement, which is
then run once more on a new connection. Nothing ran on the dead one, so nothing
is done twice, and no request pays a round trip to find out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar, cast

import psycopg2
import psycopg2.extensions as pg
import sqlalchemy as sa
from loguru import logger
from psycopg2.extensions import cursor as Cursor
from sqlalchemy.pool import PoolProxiedConnection

from ota_adapters.postgres.errors import first_line, lost_while_pooled, storage_errors
from ota_adapters.postgres.statements import DriverStatement

T = TypeVar("T")

Rows = list[tuple[Any, ...]]

_NO_VALUES: Mapping[str, object] = {}


class Link:
    """One pooled connection, checked out for one unit of work."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._pooled, self._driver = _checkout(engine)
        self._used = False
        self._savepoint = ""  # a SAVEPOINT to send with the next statement

    def run(self, statement: DriverStatement, values: Mapping[str, object]) -> Rows:
        """A read: its rows; inside the transaction if one is open, else on its own."""
        return self._attempt(self._opening() + statement.sql, statement.params(values), _rows)

    def write(self, statement: DriverStatement, values: Mapping[str, object]) -> int:
        """A write, in the transaction it opens if none is open: how many rows it wrote."""
        opening = self._opening() if self.in_transaction() else "BEGIN; "
        return self._attempt(opening + statement.sql, statement.params(values), _rowcount)

    def in_transaction(self) -> bool:
        """True once a write opened the transaction, until it is committed or rolled back.

        What libpq last heard from the server; a closed connection has no transaction left.
        """
        driver = self._driver
        return not driver.closed and driver.get_transaction_status() != pg.TRANSACTION_STATUS_IDLE

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside the open transaction: what the block ran is undone alone if it fails.

        The SAVEPOINT goes out with the block's first statement, in its round trip.
        """
        self._savepoint = "SAVEPOINT write; "
        try:
            yield
        except BaseException:
            if not self._savepoint:  # sent: there is something to roll back to
                with contextlib.suppress(sa.exc.SQLAlchemyError):  # the first error says more
                    self._command("ROLLBACK TO SAVEPOINT write")
            raise
        finally:
            self._savepoint = ""

    def commit(self) -> None:
        if self.in_transaction():
            self._command("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction():
            self._command("ROLLBACK")

    def close(self) -> None:
        """Back to the pool, idle and as it came; a connection that cannot be is dropped."""
        pooled = self._pooled
        try:
            if pooled.is_valid:
                self.rollback()
        except (sa.exc.SQLAlchemyError, psycopg2.Error):
            if pooled.is_valid:
                pooled.invalidate()
        finally:
            pooled.close()

    def _opening(self) -> str:
        """The SAVEPOINT still to send, once."""
        opening, self._savepoint = self._savepoint, ""
        return opening

    def _command(self, sql: str) -> None:
        self._attempt(sql, _NO_VALUES, _rowcount)

    def _attempt(self, sql: str, params: Mapping[str, object], outcome: Callable[[Cursor], T]) -> T:
        if self._used:
            return self._on_driver(sql, params, outcome)
        self._used = True
        try:
            return self._on_driver(sql, params, outcome)
        except sa.exc.DBAPIError as error:
            if not lost_while_pooled(error):
                raise
            logger.info("a pooled database connection was closed: {}", first_line(error))
        self._pooled.close()
        self._pooled, self._driver = _checkout(self._engine)
        return self._on_driver(sql, params, outcome)

    def _on_driver(
        self, sql: str, params: Mapping[str, object], outcome: Callable[[Cursor], T]
    ) -> T:
        try:
            with self._driver.cursor() as cursor:
                cursor.execute(sql, params)
                return outcome(cursor)
        except psycopg2.Error as error:
            raise self._wrapped(sql, params, error) from error

    def _wrapped(
        self, sql: str, params: Mapping[str, object], error: psycopg2.Error
    ) -> sa.exc.DBAPIError:
        """The error as `Connection.execute` would raise it; a lost connection leaves the pool."""
        lost = self._engine.dialect.is_disconnect(cast(Any, error), self._pooled, None)
        if lost and self._pooled.is_valid:
            self._pooled.invalidate(error)
        return _as_sqlalchemy_error(sql, params, error, invalidated=lost)


def _checkout(engine: sa.Engine) -> tuple[PoolProxiedConnection, pg.connection]:
    """A pooled connection of `build_engine`'s, and its psycopg2 connection (autocommit)."""
    with storage_errors():
        try:
            pooled = engine.raw_connection()
        except psycopg2.Error as error:  # connecting failed; the pool raises the driver's error
            raise _as_sqlalchemy_error(None, None, error, invalidated=False) from error
    driver = cast(pg.connection, pooled.driver_connection)
    if not driver.autocommit:  # transactions are the link's: see the module's docstring
        pooled.close()
        raise RuntimeError("a unit of work needs an engine of `build_engine` (autocommit)")
    return pooled, driver


def _as_sqlalchemy_error(
    sql: str | None,
    params: Mapping[str, object] | None,
    error: psycopg2.Error,
    *,
    invalidated: bool,
) -> sa.exc.DBAPIError:
    wrapped = sa.exc.DBAPIError.instance(
        sql, None if params is None else dict(params), error, psycopg2.Error,
        connection_invalidated=invalidated,
    )  # fmt: skip
    return cast(sa.exc.DBAPIError, wrapped)


def _rows(cursor: Cursor) -> Rows:
    return cursor.fetchall() if cursor.description is not None else []


def _rowcount(cursor: Cursor) -> int:
    return int(cursor.rowcount)
