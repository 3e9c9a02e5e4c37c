"""SIGTERM (a rolling update, a scale-down) lets the requests in flight finish."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.faults.requests import RESERVATIONS, SMALL
from tests.live import Answer, wait_until
from tests.scale.instances import running_instances
from tests.scale.stored import PROPERTY_IDS, booking, bookings_held, days_ahead, reservation_ids

pytestmark = pytest.mark.postgres

IN_FLIGHT = 4
FIRST_DAY = 10


def test_sigterm_drains_the_requests_in_flight_before_the_server_exits(
    sample_database: str, tmp_path: Path
) -> None:
    held = PROPERTY_IDS[0]
    with (
        running_instances(sample_database, tmp_path, ["draining"], **SMALL) as (server,),
        ThreadPoolExecutor(IN_FLIGHT) as clients,
    ):
        with bookings_held(sample_database, held) as waiting:
            sent = [
                clients.submit(
                    server.api.call, "POST", RESERVATIONS, booking(held, days_ahead(FIRST_DAY + n))
                )
                for n in range(IN_FLIGHT)
            ]
            wait_until(lambda: waiting() == IN_FLIGHT, "every booking waits in the database")
            server.process.send_signal(signal.SIGTERM)
            stopping = time.monotonic()
            wait_until(lambda: server.accepting_workers() == set(), "the workers stop accepting")
        answers: list[Answer] = [request.result() for request in sent]
        exit_code = server.process.wait(timeout=60)
        drained = time.monotonic() - stopping

    assert [answer.status for answer in answers] == [200] * IN_FLIGHT
    assert exit_code == 0
    booked = sorted(answer.json()["reservation_id"] for answer in answers)
    assert reservation_ids(sample_database, since=days_ahead(FIRST_DAY)) == booked
    print(f"{IN_FLIGHT} requests in flight at SIGTERM; all answered, exit {drained:.2f}s later")
