"""SIGTERM (a rolling update, a scale-down) lets the requests in flight finish."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.faults.locks import reservations_locked, sessions_waiting_for_a_lock
from tests.faults.requests import RESERVATIONS, SEARCH, booking
from tests.gunicorn_process import accepting_workers, gunicorn, server_environment
from tests.integration.postgres.catalog import rows
from tests.live import Answer, wait_until

pytestmark = pytest.mark.postgres

IN_FLIGHT = 4
FUTURE_RESERVATIONS = (
    "SELECT reservation_id::text FROM reservation WHERE start_date > now() ORDER BY 1"
)


def test_sigterm_drains_the_requests_in_flight_before_the_server_exits(
    sample_database: str, tmp_path: Path
) -> None:
    env = server_environment(STORAGE="postgres", DATABASE_URL=sample_database)
    with gunicorn(tmp_path, env) as server, ThreadPoolExecutor(IN_FLIGHT) as clients:
        with reservations_locked(sample_database):
            sent = [
                clients.submit(server.api.call, "POST", RESERVATIONS, booking(0, 10 + n))
                if n % 2
                else clients.submit(server.api.call, "GET", SEARCH)
                for n in range(IN_FLIGHT)
            ]
            wait_until(
                lambda: sessions_waiting_for_a_lock(sample_database) == IN_FLIGHT,
                "every request waits in the database",
            )
            server.process.send_signal(signal.SIGTERM)
            stopping = time.monotonic()
            wait_until(lambda: accepting_workers(server) == set(), "the workers stop accepting")
        answers: list[Answer] = [request.result() for request in sent]
        exit_code = server.process.wait(timeout=60)
        drained = time.monotonic() - stopping

    assert [answer.status for answer in answers] == [200] * IN_FLIGHT
    assert exit_code == 0
    booked = [a.json()["reservation_id"] for a in answers if a.json().get("reservation_id")]
    assert len(booked) == IN_FLIGHT // 2
    assert rows(sample_database, FUTURE_RESERVATIONS) == [(rid,) for rid in sorted(booked)]
    print(f"{IN_FLIGHT} requests in flight at SIGTERM; all answered, exit {drained:.2f}s later")
