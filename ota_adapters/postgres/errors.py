"""Which database errors mean "the database cannot serve now" (`StorageUnavailable`).

psycopg2 raises one exception class per SQLSTATE; SQLAlchemy wraps it and keeps
it as `.orig`. Refusals a request can meet are not errors here: the statements
return them (`booking`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2.errors
import sqlalchemy as sa

from ota_adapters.postgres.deadlines import NoAnswer
from ota_core import StorageUnavailable

# SQLSTATE classes: 08 connection exception, 53 insufficient resources (too many
# connections, disk full), 57 operator intervention (statement timeout, shutdown).
_UNAVAILABLE_CLASSES = ("08", "53", "57")


def lost_while_pooled(error: sa.exc.DBAPIError) -> bool:
    """The connection was gone before the statement ran; not a server that stopped answering.

    Such a statement may be sent again on a new connection: nothing ran on the
    lost one. A server that never answered has already cost the caller its
    whole deadline, and a new connection to it would wait as long again.
    """
    return error.connection_invalidated and not isinstance(error.orig, NoAnswer)


def means_unavailable(error: BaseException) -> bool:
    """True when `error` says the database cannot serve now, not that the request is wrong."""
    if isinstance(error, sa.exc.TimeoutError | sa.exc.DisconnectionError):
        return True  # no pooled connection came free in time / a connection was lost
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "pgcode", None)
    if sqlstate is None:
        # libpq's own failures (cannot connect, server closed the connection) carry no SQLSTATE.
        return isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError)
    return str(sqlstate).startswith(_UNAVAILABLE_CLASSES)


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn "the database cannot serve now" into `StorageUnavailable`; leave the rest."""
    try:
        yield
    except sa.exc.SQLAlchemyError as error:
        if means_unavailable(error):
            raise StorageUnavailable(f"the database is unavailable: {first_line(error)}") from error
        raise


@contextmanager
def read_errors() -> Iterator[None]:
    """`storage_errors` for a read that may run on a hot standby (a read replica).

    A standby cancels a query whose rows its replay of the primary's changes must
    remove (SQLSTATE 40001, "conflict with recovery"). Sent again, the read may
    well succeed, so it is reported as unavailable (a 503 with Retry-After).
    """
    try:
        with storage_errors():
            yield
    except sa.exc.DBAPIError as error:
        if isinstance(error.orig, psycopg2.errors.SerializationFailure):
            raise StorageUnavailable(f"the read was cancelled: {first_line(error)}") from error
        raise


def first_line(error: BaseException) -> str:
    """The first line of what the driver (or else the error itself) says."""
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
