"""The embedded PostgreSQL: created on first start, reused after, stopped when let go."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from ota_adapters.ids import legacy_reservation_id
from ota_adapters.postgres import build_engine, embedded_database, schema_is_current
from ota_adapters.postgres.embedded import (
    DATABASE_NAME,
    PGDATA,
    embedded_server,
    running_embedded_url,
)
from ota_adapters.sample_data import sample_legacy_stays
from tests.integration.postgres.catalog import execute, rows

pytestmark = pytest.mark.postgres

NOT_A_PROCESS = 2**22 + 12345  # above Linux's largest pid


def _ids(url: str) -> set[object]:
    return {row[0] for row in rows(url, "SELECT reservation_id FROM reservation")}


def test_a_first_start_creates_migrates_and_loads_the_sample_data(tmp_path: Path) -> None:
    with embedded_database(tmp_path) as url:
        engine = build_engine(url)
        assert schema_is_current(engine)
        engine.dispose()
        assert _ids(url) == {
            legacy_reservation_id(s.property_id, s.start_date, s.number_of_nights)
            for s in sample_legacy_stays()
        }
        assert running_embedded_url(tmp_path / PGDATA, DATABASE_NAME) == url

    assert running_embedded_url(tmp_path / PGDATA, DATABASE_NAME) is None


def test_a_later_start_reuses_the_data(tmp_path: Path) -> None:
    with embedded_database(tmp_path) as url:
        execute(url, "INSERT INTO property VALUES ('mine', 'kept between starts')")
    created = (tmp_path / PGDATA / "PG_VERSION").stat().st_mtime_ns

    with embedded_database(tmp_path) as url:
        assert rows(url, "SELECT description FROM property WHERE property_id = 'mine'") == [
            ("kept between starts",)
        ]
        assert len(_ids(url)) == 11
    assert (tmp_path / PGDATA / "PG_VERSION").stat().st_mtime_ns == created


def test_a_holder_that_died_without_letting_go_does_not_keep_the_server_up(
    tmp_path: Path,
) -> None:
    pgdata = tmp_path / PGDATA
    with embedded_server(pgdata):
        pass
    (pgdata / ".handle_pids.json").write_text(json.dumps([NOT_A_PROCESS]))

    with embedded_server(pgdata) as admin_url:
        assert rows(admin_url, "SELECT 1") == [(1,)]

    still_running = running_embedded_url(pgdata, "postgres") is not None
    if still_running:  # stop it anyway, rather than leave it behind the failing test
        os.kill(int((pgdata / "postmaster.pid").read_text().split()[0]), signal.SIGTERM)
    assert not still_running


def test_the_server_listens_on_its_unix_socket_only(tmp_path: Path) -> None:
    query = (
        "SELECT name, setting FROM pg_settings"
        " WHERE name IN ('listen_addresses', 'server_version_num')"
    )
    with embedded_server(tmp_path / PGDATA) as admin_url:
        settings = dict(rows(admin_url, query))
    assert settings["listen_addresses"] == ""
    assert int(settings["server_version_num"]) >= 180000
