"""`python -m ota_adapters.postgres`: start, migrate, load-sample, url."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ota_adapters.postgres.embedded import DATABASE_NAME, PGDATA, running_embedded_url
from tests.integration.postgres.catalog import create_legacy_database, execute, rows
from tests.postgres_servers import scratch_database

pytestmark = pytest.mark.postgres


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this project's own CLI
        [sys.executable, "-m", "ota_adapters.postgres", *args],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return {**env, "OTA_DATA_DIR": str(data_dir)}


@pytest.fixture
def database(server: str) -> Iterator[str]:
    with scratch_database(server) as url:
        yield url


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_start_runs_the_embedded_database_until_stopped(
    tmp_path: Path, stop: signal.Signals
) -> None:
    env = _environment(tmp_path)
    command = [sys.executable, "-m", "ota_adapters.postgres", "start"]
    starting = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)  # noqa: S603 - our CLI
    with starting as start:
        try:
            assert start.stdout is not None
            assert "PostgreSQL is ready" in start.stdout.readline()
            url = _cli("url", env=env).stdout.strip()
            assert url == running_embedded_url(tmp_path / PGDATA, DATABASE_NAME)
            assert rows(url, "SELECT count(*) FROM reservation") == [(11,)]
        finally:
            start.send_signal(stop)
            start.wait(timeout=60)

    assert start.returncode == 0
    assert running_embedded_url(tmp_path / PGDATA, DATABASE_NAME) is None
    assert _cli("url", env=env).returncode != 0


def test_migrate_then_load_sample_fill_an_empty_database(database: str) -> None:
    assert _cli("--database-url", database, "migrate").returncode == 0
    assert _cli("--database-url", database, "load-sample").returncode == 0
    assert _cli("--database-url", database, "load-sample").returncode == 0

    assert rows(database, "SELECT count(*), count(DISTINCT reservation_id) FROM reservation") == [
        (11, 11)
    ]


def test_migrate_reports_legacy_rows_it_cannot_take(database: str) -> None:
    create_legacy_database(database)
    execute(database, "INSERT INTO reservation VALUES ('xE6vqTqA6LTwpE', '2021-01-05', 2)")

    migrated = _cli("--database-url", database, "migrate")

    assert migrated.returncode == 2
    assert "xE6vqTqA6LTwpE | 2021-01-05 | 2" in migrated.stderr
    assert "nothing was changed" in migrated.stderr
