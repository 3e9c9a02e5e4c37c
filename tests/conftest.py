"""Fixtures for the PostgreSQL servers; see `tests/postgres_servers.py`."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from loguru import logger

from ota_adapters.postgres.embedded import embedded_server
from tests.postgres_servers import (
    POSTGRES15_ADMIN_URL,
    TEST_PGDATA,
    drop_abandoned_scratch_databases,
    migrated_engine,
    sample_database_engine,
    truncate,
    unreachable_reason,
)

pytest_plugins = ["tests.citus.fixtures"]


def _each(fixtures: dict[str, str]) -> list[object]:
    return [
        pytest.param(fixture, id=name, marks=pytest.mark.postgres)
        for name, fixture in fixtures.items()
    ]


EACH_SERVER = _each({"postgres15": "postgres15", "embedded": "embedded_postgres"})
EACH_ENGINE = _each({"postgres15": "postgres15_engine", "embedded": "embedded_engine"})


@pytest.fixture(scope="session")
def postgres15() -> str:
    """The admin URL of the local PostgreSQL 15; skipped when unreachable (failed in CI)."""
    reason = unreachable_reason(POSTGRES15_ADMIN_URL)
    if reason is not None:
        message = f"PostgreSQL 15 at 127.0.0.1:5432 is unreachable: {reason}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so this is a failure)")
        pytest.skip(f"{message} (skipped because CI is unset)")
    return POSTGRES15_ADMIN_URL


@pytest.fixture(scope="session")
def embedded_postgres() -> Iterator[str]:
    """The admin URL of the embedded PostgreSQL 18, started for the session."""
    with embedded_server(TEST_PGDATA) as admin_url:
        drop_abandoned_scratch_databases(admin_url)
        yield admin_url


@pytest.fixture(scope="session")
def postgres15_engine(postgres15: str) -> Iterator[sa.Engine]:
    with migrated_engine(postgres15) as engine:
        yield engine


@pytest.fixture(scope="session")
def embedded_engine(embedded_postgres: str) -> Iterator[sa.Engine]:
    with migrated_engine(embedded_postgres) as engine:
        yield engine


@pytest.fixture(scope="session", params=EACH_SERVER)
def server(request: pytest.FixtureRequest) -> str:
    """The admin URL of each PostgreSQL server in turn."""
    url: str = request.getfixturevalue(request.param)
    return url


@pytest.fixture(scope="session", params=EACH_ENGINE)
def session_engine(request: pytest.FixtureRequest) -> sa.Engine:
    """The session's database at the latest schema, on each server in turn; not emptied."""
    engine: sa.Engine = request.getfixturevalue(request.param)
    return engine


@pytest.fixture
def engine(session_engine: sa.Engine) -> sa.Engine:
    """An engine on an empty database at the latest schema, on each server in turn."""
    truncate(session_engine)
    return session_engine


@pytest.fixture(scope="session")
def sample_engine(server: str) -> Iterator[sa.Engine]:
    """A database prepared as `make run` prepares one (legacy path, sample data); read only."""
    with sample_database_engine(server) as engine:
        yield engine


@pytest.fixture
def logged_warnings() -> Iterator[list[str]]:
    """The messages logged at WARNING or above while the test runs."""
    messages: list[str] = []
    sink = logger.add(messages.append, level="WARNING", format="{message}")
    yield messages
    logger.remove(sink)
