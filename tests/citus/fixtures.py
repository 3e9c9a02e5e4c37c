"""Fixtures of the Citus cluster, loaded by `tests/conftest.py` (marker `citus`).

Citus is built once (cached under `.ota/citus/`, a few minutes on first use) and a
coordinator with two workers starts once per session. When it cannot be built
here (a build tool is missing), its tests are skipped, or fail when `CI` is set,
as the PostgreSQL 15 tests are.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ota_adapters.postgres import build_engine, migrate
from tests.citus.build import BUILD_SECONDS, CitusUnavailable
from tests.citus.cluster import (
    CitusCluster,
    citus_cluster,
    create_database_on_every_node,
    in_ci,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Whichever Citus test runs first builds Citus in its setup: give it the build's time."""
    for item in items:
        if item.get_closest_marker("citus") is not None:
            item.add_marker(pytest.mark.timeout(BUILD_SECONDS + 300))


@pytest.fixture(scope="session")
def citus() -> Iterator[CitusCluster]:
    """A coordinator and two workers, with Citus, for the session."""
    try:
        with citus_cluster() as cluster:
            yield cluster
    except CitusUnavailable as error:
        if in_ci():
            pytest.fail(f"{error} (CI is set, so this is a failure)")
        pytest.skip(f"{error} (skipped because CI is unset)")


@pytest.fixture(scope="session")
def citus_url(citus: CitusCluster) -> str:
    """The coordinator's URL of a database migrated by `ota migrate`'s code: distributed."""
    url = create_database_on_every_node(citus, "ota")
    migrate(url)
    return url


@pytest.fixture(scope="session")
def citus_engine(citus_url: str) -> Iterator[sa.Engine]:
    engine = build_engine(
        citus_url, pool_size=10, max_overflow=10, pool_timeout=60, pool_pre_ping=True
    )
    try:
        yield engine
    finally:
        engine.dispose()
