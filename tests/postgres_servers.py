"""The PostgreSQL servers the tests run against, and throwaway databases on them.

- `postgres15`: the server at 127.0.0.1:5432 (user postgres, trust). Shared, so
  each test session works in databases it creates with unique names and drops.
- `embedded`: the project's embedded PostgreSQL 18, started once per session
  with its files in `.ota/test-pgdata` (kept between runs: initdb runs once,
  and a server left by a killed run is joined and then stopped, not leaked).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import sqlalchemy as sa

from ota_adapters.postgres import build_engine, migrate, prepare_database
from ota_adapters.postgres.databases import create_database, drop_database, with_database
from ota_adapters.postgres.embedded import process_alive
from ota_adapters.postgres.engine import one_off_connection

POSTGRES15_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEST_PGDATA = PROJECT_ROOT / ".ota" / "test-pgdata"

TABLES = ("idempotency_key", "property_gap", "reservation", "property")


def unreachable_reason(url: str) -> str | None:
    """Why the server of `url` cannot be reached, or None when it answers."""
    try:
        psycopg2.connect(url, connect_timeout=3).close()
    except psycopg2.OperationalError as error:
        return str(error).strip() or type(error).__name__
    return None


SCRATCH_PREFIX = "ota_test_"


def _scratch_pid(name: str) -> int | None:
    pid = name.removeprefix(SCRATCH_PREFIX).split("_")[0]
    return int(pid) if name.startswith(SCRATCH_PREFIX) and pid.isdigit() else None


def drop_abandoned_scratch_databases(admin_url: str) -> None:
    """Drop scratch databases of test sessions that died before dropping them.

    Only for the embedded test server, which belongs to this project's tests alone.
    """
    names = rows_of(admin_url, "SELECT datname FROM pg_database")
    for name in names:
        pid = _scratch_pid(name)
        if pid is not None and not process_alive(pid):
            drop_database(admin_url, name)


def rows_of(url: str, query: str) -> list[str]:
    with one_off_connection(url) as connection:
        return [row[0] for row in connection.execute(sa.text(query))]


@contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server of `admin_url`, dropped afterwards."""
    name = f"{SCRATCH_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    create_database(admin_url, name)
    try:
        yield with_database(admin_url, name)
    finally:
        drop_database(admin_url, name)


@contextmanager
def migrated_engine(admin_url: str) -> Iterator[sa.Engine]:
    """A pooled engine on a new database at the latest schema, dropped afterwards."""
    with scratch_database(admin_url) as url:
        migrate(url)
        # Room for the racing tests, well below the shared server's 100 connections. Pinged:
        # fixtures use it directly, after tests that make the server close pooled connections.
        engine = build_engine(
            url, pool_size=10, max_overflow=10, pool_timeout=60, pool_pre_ping=True
        )
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def sample_database_engine(admin_url: str) -> Iterator[sa.Engine]:
    """A pooled engine on a new database prepared as `make run` prepares one, dropped afterwards.

    The legacy path: the legacy schema and the sample data, then every migration.
    """
    with scratch_database(admin_url) as url:
        prepare_database(url)
        engine = build_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def truncate(engine: sa.Engine) -> None:
    """Empty the service's tables (on Citus there is no `property_gap`: `citus`)."""
    with engine.begin() as connection:
        exists = sa.text("SELECT to_regclass(:table) IS NOT NULL")
        present = [table for table in TABLES if connection.scalar(exists, {"table": table})]
        connection.execute(sa.text(f"TRUNCATE {', '.join(present)}"))
