"""The real server: gunicorn with the project's configuration, driven over HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import TOKEN
from tests.processes import under_gunicorn_config
from tests.scale.instances import Instance, running_instances
from tests.web.support import FREE_2021_01_04_FOR_3


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Instance]:
    settings = {"STORAGE": "memory", "GUNICORN_THREADS": "4", "LOG_LEVEL": "INFO"}
    with running_instances(None, tmp_path, ["memory"], **settings) as (server,):
        yield server


def test_gunicorn_serves_the_api_and_stops_cleanly_on_sigterm(gunicorn: Instance) -> None:
    server = gunicorn.api
    start = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()

    found = server.call("GET", "/api/v1/properties/available?start_date=2021-01-04&nights=3")
    assert found.status == 200
    assert [p["property_id"] for p in found.json()["properties"]] == FREE_2021_01_04_FOR_3

    wanted = {"property_id": "g3hbWxJ5TdXidt", "start_date": start, "nights": 2}
    made = server.call("POST", "/api/v1/reservations", wanted)
    assert made.status == 200
    reservation_id = made.json()["reservation_id"]
    assert server.call("GET", f"/api/v1/reservations/{reservation_id}").status == 200
    assert server.call("POST", "/api/v1/reservations", wanted).status == 409

    answer = server.call("GET", "/metrics")
    assert answer.status == 200
    metrics = answer.body
    assert b"ota_reservations_made_total 1.0" in metrics
    assert b"ota_booking_conflicts_total 1.0" in metrics
    assert b'route="/api/v1/reservations",status="409"' in metrics

    assert gunicorn.stop() == 0, gunicorn.log_tail()
    requests = [line for line in gunicorn.log_lines() if line["message"] == "request"]
    assert {line["route"] for line in requests} >= {
        "/api/v1/properties/available",
        "/api/v1/reservations",
        "/metrics",
    }
    assert TOKEN not in gunicorn.log.read_text()


def test_the_gunicorn_configuration_takes_its_sizes_from_the_environment() -> None:
    env = {"STORAGE": "postgres", "WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "7", "PORT": "9123"}
    sizes = "[c.workers, c.threads, c.bind, c.worker_class, c.reload, c.reuse_port]"
    worker = "ota_web.gunicorn_worker.ProblemThreadWorker"
    assert under_gunicorn_config(env, sizes) == [3, 7, "0.0.0.0:9123", worker, False, True]
    assert under_gunicorn_config({"STORAGE": "postgres"}, "[c.workers, c.threads]") == [4, 25]
    assert under_gunicorn_config({"GUNICORN_RELOAD": "1"}, "c.reload") is True


def test_the_gunicorn_master_loads_neither_the_app_nor_the_metrics_library() -> None:
    loaded = under_gunicorn_config(
        {}, "[m in sys.modules for m in ('flask', 'prometheus_client', 'ota_web.app')]"
    )
    assert loaded == [False, False, False]
