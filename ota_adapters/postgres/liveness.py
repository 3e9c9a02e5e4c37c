"""Checking a pooled connection before use without a round trip to the server.

A pre-ping (`SELECT 1` at every checkout) costs a round trip per request: a
quarter to a third of the statements of a search or a booking. A connection
the server has closed (a restart, `pg_terminate_backend`, an idle timeout)
shows it on its socket instead: the server's last message or the end of the
stream is waiting to be read, and an idle connection in good order has
nothing to read. So a checkout polls the socket, without waiting; anything
there makes SQLAlchemy drop the connection and open a new one, as a failed
pre-ping does. A server that stopped answering without closing anything is
not seen here; the statement's deadline catches it (`waiting`).
"""

from __future__ import annotations

import select
from typing import Any

import psycopg2.extensions as pg
import sqlalchemy as sa

_ANYTHING = select.POLLIN | select.POLLPRI  # POLLHUP and POLLERR are always reported


def looks_closed(connection: pg.connection) -> bool:
    """True when psycopg2 knows the connection closed or its socket has something to read."""
    if connection.closed:
        return True
    poller = select.poll()
    poller.register(connection.fileno(), _ANYTHING)
    return bool(poller.poll(0))


def check_on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """The pool's `checkout` hook: a closed connection is replaced (SQLAlchemy reconnects)."""
    if looks_closed(dbapi_connection):
        raise sa.exc.DisconnectionError("the server closed this pooled connection")


def check_before_use(engine: sa.Engine) -> None:
    """Check each connection of `engine`'s pool as it is checked out."""
    sa.event.listen(engine, "checkout", check_on_checkout)
