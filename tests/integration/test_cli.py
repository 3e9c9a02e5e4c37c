"""The `ota` command: serve, db, migrate, load-sample, db-url and the clean-ups."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ota_adapters.postgres.databases import with_database
from ota_adapters.postgres.embedded import DATABASE_NAME, PGDATA, running_embedded_url
from tests.integration.postgres.catalog import create_legacy_database, execute, rows
from tests.live import Api, free_port, wait_until_up
from tests.postgres_servers import scratch_database

pytestmark = pytest.mark.postgres

OTA = str(Path(sys.executable).with_name("ota"))
FREE_ON_2021_01_04_FOR_3 = 5


def _ota(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([OTA, *args], capture_output=True, text=True, timeout=120, env=env,
                          check=False)  # fmt: skip


def _environment(**values: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "STORAGE"}}
    return {**inherited, "LOG_FORMAT": "text", **values}


@pytest.fixture
def database(server: str) -> Iterator[str]:
    with scratch_database(server) as url:
        yield url


def test_migrate_then_load_sample_fill_an_empty_database(database: str) -> None:
    env = _environment(DATABASE_URL=database)
    assert _ota("migrate", env=env).returncode == 0
    assert _ota("load-sample", env=env).returncode == 0
    assert _ota("load-sample", env=env).returncode == 0

    assert rows(database, "SELECT count(*), count(DISTINCT reservation_id) FROM reservation") == [
        (11, 11)
    ]


def test_load_sample_asks_for_a_migrated_database(database: str) -> None:
    refused = _ota("load-sample", env=_environment(DATABASE_URL=database))

    assert refused.returncode == 1
    assert "ota migrate" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.parametrize(
    ("asked", "counts"),
    [([], (0, 0)), (["--sample-data"], (7, 11))],
    ids=["as-it-is", "sample-data"],
)
def test_serve_migrates_a_database_url_and_adds_the_sample_data_only_when_asked(
    database: str, asked: list[str], counts: tuple[int, int]
) -> None:
    port = free_port()
    env = _environment(
        DATABASE_URL=database, PORT=str(port), WEB_CONCURRENCY="1", GUNICORN_THREADS="2"
    )
    api = Api.on_port(port)
    command = [OTA, "serve", *asked]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env) as serve:
        try:
            wait_until_up(api, serve, "/readyz")  # ready: the schema is the latest
            stored = rows(
                database,
                "SELECT (SELECT count(*) FROM property), (SELECT count(*) FROM reservation)",
            )
        finally:
            serve.send_signal(signal.SIGINT)
            _, stderr = serve.communicate(timeout=60)

    assert serve.returncode == 0, stderr
    assert stored == [counts]


def test_the_help_tells_how_to_ask_for_the_sample_data() -> None:
    helped = _ota("--help", env=_environment())

    assert helped.returncode == 0
    assert "--sample-data" in helped.stdout
    assert "DATABASE_URL's database, which gets them only when asked" in " ".join(
        helped.stdout.split()
    )


def test_migrate_reports_legacy_rows_it_cannot_take(database: str) -> None:
    create_legacy_database(database)
    execute(database, "INSERT INTO reservation VALUES ('xE6vqTqA6LTwpE', '2021-01-05', 2)")

    migrated = _ota("migrate", env=_environment(DATABASE_URL=database))

    assert migrated.returncode == 2
    assert "xE6vqTqA6LTwpE | 2021-01-05 | 2" in migrated.stderr
    assert "nothing was changed" in migrated.stderr


def test_serve_refuses_a_port_another_server_listens_on() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        refused = _ota("serve", env=_environment(STORAGE="memory", PORT=str(port)))

    assert refused.returncode == 1
    assert f"port {port} is in use" in refused.stderr


def test_a_bad_setting_stops_the_command_with_its_name() -> None:
    refused = _ota("migrate", env=_environment(DB_POOL_SIZE="many"))
    assert refused.returncode == 2
    assert "DB_POOL_SIZE" in refused.stderr


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_db_keeps_the_embedded_database_up_until_stopped(
    tmp_path: Path, stop: signal.Signals
) -> None:
    env = _environment(OTA_DATA_DIR=str(tmp_path))
    with subprocess.Popen([OTA, "db"], stdout=subprocess.PIPE, text=True, env=env) as db:
        try:
            assert db.stdout is not None
            assert "PostgreSQL is ready" in db.stdout.readline()
            url = _ota("db-url", env=env).stdout.strip()
            assert url == running_embedded_url(tmp_path / PGDATA, DATABASE_NAME)
            assert rows(url, "SELECT count(*) FROM reservation") == [(11,)]
        finally:
            db.send_signal(stop)
            db.wait(timeout=60)

    assert db.returncode == 0
    assert running_embedded_url(tmp_path / PGDATA, DATABASE_NAME) is None
    assert _ota("db-url", env=env).returncode != 0


def test_serve_runs_the_api_on_the_embedded_database_and_stops_it_on_ctrl_c(
    tmp_path: Path,
) -> None:
    """What `make run` does on a machine with no database."""
    port = free_port()
    env = _environment(
        OTA_DATA_DIR=str(tmp_path), PORT=str(port), WEB_CONCURRENCY="2", GUNICORN_THREADS="4"
    )
    api = Api.on_port(port)
    with subprocess.Popen([OTA, "serve"], stderr=subprocess.PIPE, text=True, env=env) as serve:
        try:
            wait_until_up(api, serve, "/readyz")
            found = api.call("GET", "/api/v1/properties/available?start_date=2021-01-04&nights=3")
            assert len(found.json()["properties"]) == FREE_ON_2021_01_04_FOR_3
            start = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
            wanted = {"property_id": "g3hbWxJ5TdXidt", "start_date": start, "nights": 2}
            booked = api.call("POST", "/api/v1/reservations", wanted)
            assert booked.status == 200
            url = running_embedded_url(tmp_path / PGDATA, DATABASE_NAME)
            assert url is not None
            stored = "SELECT count(*) FROM reservation WHERE reservation_id = :id"
            assert rows(url, stored, id=booked.json()["reservation_id"]) == [(1,)]
        finally:
            serve.send_signal(signal.SIGINT)
            _, stderr = serve.communicate(timeout=60)

    assert serve.returncode == 0, stderr
    assert running_embedded_url(tmp_path / PGDATA, DATABASE_NAME) is None
    assert not api.answers()


def test_forget_idempotency_keys_deletes_only_keys_past_their_retention(database: str) -> None:
    env = _environment(DATABASE_URL=database, IDEMPOTENCY_KEY_RETENTION_HOURS="24")
    assert _ota("migrate", env=env).returncode == 0
    assert _ota("load-sample", env=env).returncode == 0
    execute(
        database,
        "INSERT INTO idempotency_key (principal, key, fingerprint, reservation_id, created_at)"
        " SELECT gen_random_uuid(), k, 'f', (SELECT reservation_id FROM reservation LIMIT 1),"
        " now() - age"
        " FROM (VALUES ('two-days', interval '48 hours'), ('one-hour', interval '1 hour'))"
        " AS keys (k, age)",
    )

    forgotten = _ota("forget-idempotency-keys", env=env)

    assert forgotten.returncode == 0, forgotten.stderr
    assert "forgot 1 idempotency keys" in forgotten.stderr
    assert rows(database, "SELECT key FROM idempotency_key") == [("one-hour",)]


def test_forget_expired_holds_deletes_only_holds_that_have_expired(database: str) -> None:
    env = _environment(DATABASE_URL=database)
    assert _ota("migrate", env=env).returncode == 0
    assert _ota("load-sample", env=env).returncode == 0
    execute(
        database,
        "INSERT INTO reservation (reservation_id, property_id, start_date, number_of_nights,"
        " expires_at) SELECT gen_random_uuid(), (SELECT min(property_id) FROM property),"
        " date '2030-01-01' + n, 1, now() + interval '1 minute' * n - interval '90 seconds'"
        " FROM generate_series(0, 3) AS n",
    )

    forgotten = _ota("forget-expired-holds", env=env)

    assert forgotten.returncode == 0, forgotten.stderr
    assert "forgot 2 expired holds" in forgotten.stderr
    remaining = "SELECT start_date::text FROM reservation WHERE expires_at IS NOT NULL ORDER BY 1"
    assert rows(database, remaining) == [("2030-01-03",), ("2030-01-04",)]


def test_a_database_that_does_not_exist_is_named_without_a_traceback(server: str) -> None:
    missing = with_database(server, "ota_test_no_such_database")

    refused = _ota("migrate", env=_environment(DATABASE_URL=missing))

    assert refused.returncode == 1
    assert "the database cannot be used" in refused.stderr
    assert '"ota_test_no_such_database" does not exist' in refused.stderr
    assert "Traceback" not in refused.stderr
