"""A statement stuck behind a lock: the statement and pool timeouts end it in a 503."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.faults.locks import reservations_locked, sessions_waiting_for_a_lock
from tests.faults.requests import RESERVATIONS, SEARCH, booking, unavailable_problems
from tests.gunicorn_process import gunicorn, server_environment
from tests.live import Answer, Api, wait_until

pytestmark = pytest.mark.postgres

STATEMENT_TIMEOUT = 2.0
POOL_TIMEOUT = 1.0
SLACK = 8.0  # a loaded 2-core machine answers late, never early


def _timed(api: Api, method: str, path: str, body: object = None) -> tuple[Answer, float]:
    started = time.monotonic()
    answer = api.call(method, path, body, timeout=60)
    return answer, time.monotonic() - started


def test_a_slow_statement_and_a_wait_for_a_connection_end_in_503s_and_the_worker_goes_on(
    sample_database: str, tmp_path: Path
) -> None:
    # One worker, one pooled connection: the second request has to wait for the first's.
    env = server_environment(
        STORAGE="postgres",
        DATABASE_URL=sample_database,
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
        DB_POOL_SIZE="1",
        DB_MAX_OVERFLOW="0",
        DB_POOL_TIMEOUT=str(int(POOL_TIMEOUT)),
        DB_STATEMENT_TIMEOUT_MS=str(int(STATEMENT_TIMEOUT * 1000)),
    )
    with gunicorn(tmp_path, env) as server, ThreadPoolExecutor(1) as client:
        (worker,) = server.worker_pids()
        with reservations_locked(sample_database):
            slow = client.submit(_timed, server.api, "POST", RESERVATIONS, booking(0, 10))
            wait_until(lambda: sessions_waiting_for_a_lock(sample_database) == 1, "it waits")
            queued, queued_for = _timed(server.api, "GET", SEARCH)
            stuck, stuck_for = slow.result()

            for answer in (queued, stuck):
                assert unavailable_problems(answer) == []
            assert POOL_TIMEOUT <= queued_for < POOL_TIMEOUT + SLACK
            assert STATEMENT_TIMEOUT <= stuck_for < STATEMENT_TIMEOUT + SLACK

        assert server.api.call("GET", SEARCH).status == 200
        assert server.api.call("POST", RESERVATIONS, booking(0, 10)).status == 200
        assert server.worker_pids() == {worker}
    print(
        f"waiting for the pooled connection: 503 after {queued_for:.2f}s "
        f"(DB_POOL_TIMEOUT {POOL_TIMEOUT:.0f}s); the locked statement: 503 after "
        f"{stuck_for:.2f}s (DB_STATEMENT_TIMEOUT_MS {STATEMENT_TIMEOUT * 1000:.0f})"
    )
