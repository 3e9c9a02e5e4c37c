"""Waiting for PostgreSQL with deadlines: a server that stops answering cannot hold a thread.

`statement_timeout` is the server's own: a server that is frozen (stopped,
its machine paused or swapping) or cut off never ends the statement, and
libpq waits for its answer for as long as the socket stays open, which a
peer that still acknowledges TCP keeps open forever. psycopg2 lets the
program do libpq's waiting (a wait callback: its "green" mode). The callback
here gives up after the connection's deadlines: `connect_timeout` while
connecting (libpq ignores it in this mode), then `answer_timeout_s` per
statement. Giving up leaves the connection broken (psycopg2 closes it), so
SQLAlchemy drops it from the pool and the adapter reports the database as
unavailable.
"""

from __future__ import annotations

import functools
import select
import time

import psycopg2
import psycopg2.extensions as pg

_EVENTS = {pg.POLL_READ: select.POLLIN, pg.POLL_WRITE: select.POLLOUT}


class NoAnswer(psycopg2.OperationalError):
    """The server did not answer within the deadline."""


class DeadlineConnection(pg.connection):
    """A connection whose statements wait `answer_timeout_s` at most (None: no deadline)."""

    answer_timeout_s: float | None = None


@functools.cache
def connection_class(answer_timeout_s: float | None) -> type[DeadlineConnection]:
    """The connection class (psycopg2's `connection_factory`) for one deadline."""
    return type("DeadlineConnection", (DeadlineConnection,), {"answer_timeout_s": answer_timeout_s})


def _deadline_seconds(connection: pg.connection) -> float | None:
    if connection.status == pg.STATUS_SETUP:  # still connecting
        timeout = pg.parse_dsn(connection.dsn).get("connect_timeout")
        return float(timeout) if timeout and float(timeout) > 0 else None
    timeout_s: float | None = getattr(connection, "answer_timeout_s", None)
    return timeout_s


def wait_with_deadline(connection: pg.connection) -> None:
    """psycopg2's wait callback: poll the connection until done, or raise `NoAnswer`."""
    timeout = _deadline_seconds(connection)
    deadline = None if timeout is None else time.monotonic() + timeout
    while (state := connection.poll()) != pg.POLL_OK:
        poller = select.poll()
        poller.register(connection.fileno(), _EVENTS[state])
        remaining = None if deadline is None else max(deadline - time.monotonic(), 0)
        if not poller.poll(None if remaining is None else remaining * 1000):
            raise NoAnswer(f"the server did not answer within {timeout:g} s")


def wait_with_deadlines() -> None:
    """Make every psycopg2 connection of this process wait through `wait_with_deadline`.

    Connections that are not `DeadlineConnection`s keep only their connect timeout.
    """
    if pg.get_wait_callback() is not wait_with_deadline:
        pg.set_wait_callback(wait_with_deadline)
