"""Engines: a pooled one for the service, throwaway ones for one-off commands."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from loguru import logger
from sqlalchemy.pool import NullPool

from ota_adapters.postgres.deadlines import DeadlineConnection, wait_with_deadlines

_DRIVER = "postgresql+psycopg2"


def driver_url(url: str) -> sa.URL:
    """`url` with the psycopg2 driver named (also accepts the `postgres://` spelling)."""
    parsed = sa.make_url(url)
    if parsed.drivername in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername=_DRIVER)
    if parsed.drivername != _DRIVER:
        raise ValueError(f"not a PostgreSQL URL for psycopg2: {parsed.drivername}")
    return parsed


ANSWER_MARGIN_S = 2.0
"""How long past `statement_timeout` a connection waits for an answer before giving up."""

# A peer that acknowledges nothing for this long is gone (a cut network, a host that died):
# an idle connection is probed after 10 s, then every 5 s, 3 times; data sent to it is
# given up after as long (`tcp_user_timeout`). libpq applies neither to unix sockets.
_DEAD_PEER = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
              "keepalives_count": 3, "tcp_user_timeout": 25_000}  # fmt: skip


def session_settings(statement_timeout_ms: int) -> dict[str, str]:
    """The settings every session of the service runs with, as `pg_settings` shows them.

    UTC sessions: timestamps read back in UTC, whatever the server's zone. No JIT and
    no parallel workers: a page of search is a few index probes, for which compiling
    code or starting workers is overhead, never a gain.
    """
    return {
        "statement_timeout": str(statement_timeout_ms),  # in ms, the setting's unit
        "TimeZone": "UTC",
        "jit": "off",
        "max_parallel_workers_per_gather": "0",
    }


def _connect_args(statement_timeout_ms: int, connect_timeout_s: int) -> dict[str, object]:
    answer_timeout_s = (
        statement_timeout_ms / 1000 + ANSWER_MARGIN_S if statement_timeout_ms else None
    )
    wanted = session_settings(statement_timeout_ms)
    return {
        "connection_factory": functools.partial(
            DeadlineConnection, answer_timeout_s=answer_timeout_s
        ),
        "connect_timeout": connect_timeout_s,
        **_DEAD_PEER,
        "application_name": "ota",
        "options": " ".join(f"-c {name}={value}" for name, value in wanted.items()),
    }


def _report_session_settings(wanted: dict[str, str], dbapi_connection: Any, _record: Any) -> None:
    """Warn when the first session's settings are not `wanted`.

    They are sent as startup options, which a pooler in transaction mode
    (PgBouncer) drops or refuses: there they belong on the database role
    (deploy/README.md). Without them statements have no server-side timeout
    (the client still gives up on them: `deadlines`) and searches may be planned
    with JIT and parallel workers.
    """
    with dbapi_connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", (list(wanted),)
        )
        found = dict(cursor.fetchall())
    dbapi_connection.rollback()
    wrong = [
        f"{name} is {found.get(name)} instead of {value}"
        for name, value in wanted.items()
        if found.get(name) != value
    ]
    if wrong:
        logger.warning(
            "database sessions do not run with the service's settings: {}", ", ".join(wrong)
        )


def build_engine(  # noqa: PLR0913 - pool settings, each given by name
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 5,
    pool_timeout: float = 5.0,
    statement_timeout_ms: int = 5000,
    connect_timeout_s: int = 5,
    pool_pre_ping: bool = False,
) -> sa.Engine:
    """A pooled engine. It connects on first use, and keeps pooled connections open.

    `pool_timeout` bounds the wait for a free connection, `connect_timeout_s` the
    making of a new one, and `statement_timeout_ms` each statement in the server;
    `ANSWER_MARGIN_S` later a connection gives up on a server that stopped
    answering (see `deadlines`). Checkouts send nothing: a unit of work replaces a
    pooled connection that turns out closed on its first statement (`connection`).
    `pool_pre_ping` makes each checkout test the connection first, for code that
    uses the engine directly and would rather pay a round trip than meet a closed
    connection. Create it in each process that uses it (after a fork, not before).
    """
    wait_with_deadlines()  # psycopg2's, for every connection of the process
    engine = sa.create_engine(
        driver_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=pool_pre_ping,
        connect_args=_connect_args(statement_timeout_ms, connect_timeout_s),
    )
    report = functools.partial(_report_session_settings, session_settings(statement_timeout_ms))
    sa.event.listen(engine, "first_connect", report)
    return engine


@contextmanager
def one_off_connection(url: str, *, autocommit: bool = False) -> Iterator[sa.Connection]:
    """A connection of its own, without a pool or statement timeout (migrations, loading)."""
    wait_with_deadlines()
    engine = sa.create_engine(
        driver_url(url),
        poolclass=NullPool,
        connect_args=_connect_args(statement_timeout_ms=0, connect_timeout_s=10),
    )
    try:
        with engine.connect() as connection:
            if autocommit:
                connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection
    finally:
        engine.dispose()
