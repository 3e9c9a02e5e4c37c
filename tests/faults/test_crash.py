"""Workers and then the whole server killed (SIGKILL) while clients book.

Each client books its own stays, each with its own Idempotency-Key, and
sends a request again, with the same key, until it gets a 200: what a
careful client does when a connection drops or the service answers 503.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
import pytest

from tests.faults.load import NO_ANSWER
from tests.faults.requests import RESERVATIONS, booking
from tests.gunicorn_process import Gunicorn, gunicorn, server_environment
from tests.integration.postgres.catalog import rows
from tests.live import Api, wait_until

pytestmark = pytest.mark.postgres

CLIENTS = 4
BOOKINGS_PER_CLIENT = 60
RETRY_PAUSE = 0.05
DEADLINE_SECONDS = 120
REPLAYED = "Idempotent-Replayed"


@attrs.define
class Booker:
    """One client: books its stays in turn, each until acknowledged."""

    api: Api
    number: int
    keys: list[str] = attrs.Factory(lambda: [str(uuid.uuid4()) for _ in range(BOOKINGS_PER_CLIENT)])
    acknowledged: dict[str, str] = attrs.Factory(dict)  # key -> reservation id
    replayed: int = 0
    dropped: int = 0  # requests that got no answer (connection refused or cut)
    unexpected: list[str] = attrs.Factory(list)

    def body(self, index: int) -> dict[str, object]:
        unique = self.number * BOOKINGS_PER_CLIENT + index  # one (property, night) per request
        return booking(unique, 1 + unique // 7)

    def run(self, deadline: float) -> None:
        for index, key in enumerate(self.keys):
            while key not in self.acknowledged and time.monotonic() < deadline:
                self._send(key, self.body(index))

    def send_again(self, api: Api) -> list[tuple[str, str | None]]:
        """Each booking sent once more with its key: (reservation id, Idempotent-Replayed)."""
        answers = []
        for index, key in enumerate(self.keys):
            again = api.call("POST", RESERVATIONS, self.body(index), {"Idempotency-Key": key})
            answers.append((again.json().get("reservation_id"), again.headers.get(REPLAYED)))
        return answers

    def _send(self, key: str, body: dict[str, object]) -> None:
        try:
            answer = self.api.call("POST", RESERVATIONS, body, {"Idempotency-Key": key})
        except NO_ANSWER:
            self.dropped += 1
            time.sleep(RETRY_PAUSE)
            return
        if answer.status == 200:
            self.acknowledged[key] = answer.json()["reservation_id"]
            self.replayed += answer.headers.get(REPLAYED) == "true"
        elif answer.status == 503:
            time.sleep(RETRY_PAUSE)
        else:
            self.unexpected.append(f"{answer.status} {answer.body!r}")
            self.acknowledged[key] = "refused"


def _acknowledged(bookers: list[Booker]) -> int:
    return sum(len(b.acknowledged) for b in bookers)


def _dropped(bookers: list[Booker]) -> int:
    return sum(b.dropped for b in bookers)


def _kill_one_worker(server: Gunicorn, bookers: list[Booker]) -> None:
    workers = server.worker_pids()
    os.kill(min(workers), signal.SIGKILL)
    at_kill = _acknowledged(bookers)
    wait_until(
        lambda: server.worker_pids() - workers != set() and len(server.worker_pids()) == 2,
        "gunicorn replaces the killed worker",
    )
    wait_until(lambda: _acknowledged(bookers) >= at_kill + 40, "bookings go on")


def test_every_acknowledged_booking_survives_crashes_once_and_retries_get_the_same_id(
    sample_database: str, tmp_path: Path
) -> None:
    env = server_environment(STORAGE="postgres", DATABASE_URL=sample_database)
    deadline = time.monotonic() + DEADLINE_SECONDS
    with gunicorn(tmp_path, env) as first:
        port = int(first.api.base.rsplit(":", 1)[1])
        bookers = [Booker(first.api, number) for number in range(CLIENTS)]
        threads = [threading.Thread(target=b.run, args=(deadline,), daemon=True) for b in bookers]
        for thread in threads:
            thread.start()
        wait_until(lambda: _acknowledged(bookers) >= 40, "bookings are acknowledged")
        _kill_one_worker(first, bookers)
        first.kill_all()
        dropped_at_crash = _dropped(bookers)
        wait_until(lambda: _dropped(bookers) > dropped_at_crash, "the clients find it down")
        down_at = time.monotonic()
        in_flight = CLIENTS * BOOKINGS_PER_CLIENT - _acknowledged(bookers)
    with gunicorn(tmp_path, env, port=port) as second:
        for thread in threads:
            thread.join(timeout=max(deadline - time.monotonic(), 1))
        done_after = time.monotonic() - down_at

        assert [b.unexpected for b in bookers] == [[]] * CLIENTS
        acknowledged = {key: rid for b in bookers for key, rid in b.acknowledged.items()}
        assert len(acknowledged) == CLIENTS * BOOKINGS_PER_CLIENT, "every booking ends in a 200"
        with ThreadPoolExecutor(CLIENTS) as resending:
            answers = list(resending.map(lambda b: b.send_again(second.api), bookers))
        assert answers == [[(rid, "true") for rid in b.acknowledged.values()] for b in bookers]

    stored = rows(sample_database, "SELECT reservation_id::text FROM reservation"
                  " WHERE start_date > DATE '2022-01-01'")  # fmt: skip
    stored_ids = Counter(rid for (rid,) in stored)
    assert stored_ids == Counter(acknowledged.values()), "each booking exactly once"
    keys = rows(sample_database, "SELECT key, reservation_id::text FROM idempotency_key")
    assert dict(keys) == acknowledged
    print(  # for the record (pytest -s)
        f"{len(acknowledged)} bookings; {_dropped(bookers)} requests got no answer, "
        f"{sum(b.replayed for b in bookers)} retries were answered with the earlier booking; "
        f"{in_flight} bookings waited for the restart and were all made {done_after:.2f}s "
        "after the crash"
    )
