"""Waiting for PostgreSQL with deadlines: a server that stops answering cannot hold a thread.

The server ends a statement past `statement_timeout`; the kernel ends a connection whose
peer stops acknowledging (TCP keepalives, `tcp_user_timeout`: `engine`). A *frozen*
server (stopped, its machine paused) is neither: its kernel still acknowledges, and libpq
would wait for its answer for as long as the socket stays open.

psycopg2's documented hook for this is its wait callback (`set_wait_callback`): libpq
then runs asynchronously and the callback does the waiting. `wait_for_server` waits for
each answer up to the deadline of its connection (`DeadlineConnection`); when it raises,
psycopg2 closes the connection, SQLAlchemy takes it for a disconnect and drops it from
the pool, and the adapter reports the database as unavailable. Connecting asynchronously,
libpq does not apply its own `connect_timeout` (psycopg2 issue #944): `wait_for_server`
applies it to the whole of connecting.
"""

from __future__ import annotations

import select
import time

import psycopg2
import psycopg2.extensions as pg

_EVENTS = {pg.POLL_READ: select.POLLIN, pg.POLL_WRITE: select.POLLOUT}


class NoAnswer(psycopg2.OperationalError):
    """The server did not answer within the deadline."""


class DeadlineConnection(pg.connection):
    """A connection that waits `answer_timeout_s` at most for each answer (None: no deadline).

    psycopg2's `connection_factory`, as `partial(DeadlineConnection, answer_timeout_s=...)`.
    """

    def __init__(self, dsn: str, async_: int = 0, *, answer_timeout_s: float | None) -> None:
        self.answer_timeout_s = answer_timeout_s  # set first: connecting already waits
        super().__init__(dsn, async_=async_)


def _timeout_s(connection: pg.connection) -> float | None:
    if connection.status == pg.STATUS_SETUP:  # still connecting
        # libpq's meaning: zero, negative or unset is no limit.
        seconds = float(connection.info.dsn_parameters.get("connect_timeout") or 0)
        return seconds if seconds > 0 else None
    return connection.answer_timeout_s if isinstance(connection, DeadlineConnection) else None


def wait_for_server(connection: pg.connection) -> None:
    """psycopg2's wait callback: wait for what libpq waits for, up to the connection's deadline."""
    timeout_s = _timeout_s(connection)
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while (state := connection.poll()) != pg.POLL_OK:
        # The socket may change while connecting (another address, another attempt).
        waiting = select.poll()
        waiting.register(connection.fileno(), _EVENTS[state])
        left_ms = None if deadline is None else max(deadline - time.monotonic(), 0) * 1000
        if not waiting.poll(left_ms):
            raise NoAnswer(f"the server did not answer within {timeout_s:g} s")


def wait_with_deadlines() -> None:
    """Have psycopg2 wait through `wait_for_server`, for every connection of the process."""
    pg.set_wait_callback(wait_for_server)
