"""Engines: a pooled one for the service, throwaway ones for one-off commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from ota_adapters.postgres.waiting import connection_class, wait_with_deadlines

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
"""How long past `statement_timeout` the pool waits for an answer before it gives the server up."""


def _connect_args(statement_timeout_ms: int, connect_timeout_s: int) -> dict[str, object]:
    answer_timeout_s = (
        statement_timeout_ms / 1000 + ANSWER_MARGIN_S if statement_timeout_ms else None
    )
    return {
        "connection_factory": connection_class(answer_timeout_s),
        "connect_timeout": connect_timeout_s,
        "application_name": "ota",
        # UTC sessions: timestamps read back in UTC, whatever the server's zone. No JIT and
        # no parallel workers: each page of search is a millisecond of index probes, and
        # compiling or starting workers for it cost 10x that and more (bench/RESULTS.md).
        "options": (
            f"-c statement_timeout={statement_timeout_ms} -c timezone=UTC"
            " -c jit=off -c max_parallel_workers_per_gather=0"
        ),
    }


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

    `pool_timeout` bounds the wait for a free connection; `statement_timeout_ms`
    bounds each statement in the server, and `ANSWER_MARGIN_S` later the
    connection gives up on a server that stopped answering (see `waiting`).
    Checkouts send nothing: a unit of work replaces a pooled connection that
    turns out closed on its first statement (`link`). `pool_pre_ping` makes
    each checkout test the connection first, for code that uses the engine
    directly and would rather pay a round trip than meet a closed connection.
    Create it in each process that uses it (after a fork, not before).
    """
    wait_with_deadlines()
    return sa.create_engine(
        driver_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=pool_pre_ping,
        connect_args=_connect_args(statement_timeout_ms, connect_timeout_s),
    )


@contextmanager
def one_off_connection(url: str, *, autocommit: bool = False) -> Iterator[sa.Connection]:
    """A connection of its own, without a pool or statement timeout (migrations, loading)."""
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
