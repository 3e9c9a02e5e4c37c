"""Slow or silent databases: the statement, pool and answer deadlines end the wait in a 503."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ota_adapters.postgres.engine import ANSWER_MARGIN_S
from tests.faults.cluster import Cluster
from tests.faults.requests import RESERVATIONS, SEARCH, unavailable_problems
from tests.live import Answer, Api, wait_until
from tests.scale.instances import running_instances
from tests.scale.stored import PROPERTY_IDS, booking, bookings_held, days_ahead

pytestmark = pytest.mark.postgres

STATEMENT_TIMEOUT = 2.0
POOL_TIMEOUT = 1.0
CONNECT_TIMEOUT = 1
SLACK = 8.0  # a loaded 2-core machine answers late, never early
# One worker of two threads sharing one pooled connection: the second request waits.
ONE_CONNECTION = {
    "WEB_CONCURRENCY": "1",
    "GUNICORN_THREADS": "2",
    "DB_POOL_SIZE": "1",
    "DB_MAX_OVERFLOW": "0",
    "DB_STATEMENT_TIMEOUT_MS": str(int(STATEMENT_TIMEOUT * 1000)),
}


def _timed(api: Api, method: str, path: str, body: object = None) -> tuple[Answer, float]:
    started = time.monotonic()
    answer = api.call(method, path, body, timeout=60)
    return answer, time.monotonic() - started


def test_a_slow_statement_and_a_wait_for_a_connection_end_in_503s_and_the_worker_goes_on(
    sample_database: str, tmp_path: Path
) -> None:
    held = PROPERTY_IDS[0]
    wanted = booking(held, days_ahead(10))
    settings = ONE_CONNECTION | {"DB_POOL_TIMEOUT": str(int(POOL_TIMEOUT))}
    with (
        running_instances(sample_database, tmp_path, ["one"], **settings) as (server,),
        ThreadPoolExecutor(1) as client,
    ):
        (worker,) = server.workers()
        with bookings_held(sample_database, held) as waiting:
            slow = client.submit(_timed, server.api, "POST", RESERVATIONS, wanted)
            wait_until(lambda: waiting() == 1, "the booking waits in the database")
            queued, queued_for = _timed(server.api, "GET", SEARCH)
            stuck, stuck_for = slow.result()

            for answer in (queued, stuck):
                assert unavailable_problems(answer) == []
            assert POOL_TIMEOUT <= queued_for < POOL_TIMEOUT + SLACK
            assert STATEMENT_TIMEOUT <= stuck_for < STATEMENT_TIMEOUT + SLACK

        assert server.api.call("GET", SEARCH).status == 200
        assert server.api.call("POST", RESERVATIONS, wanted).status == 200
        assert server.workers() == [worker]
    print(
        f"waiting for the pooled connection: 503 after {queued_for:.2f}s "
        f"(DB_POOL_TIMEOUT {POOL_TIMEOUT:.0f}s); the held statement: 503 after "
        f"{stuck_for:.2f}s (DB_STATEMENT_TIMEOUT_MS {STATEMENT_TIMEOUT * 1000:.0f})"
    )


def test_a_database_that_stops_answering_is_a_503_within_the_deadlines_and_then_serves_again(
    cluster: Cluster, cluster_database: str, tmp_path: Path
) -> None:
    settings = ONE_CONNECTION | {"DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT)}
    # The pooled connection waits out its answer deadline, then a new one its connect timeout.
    bound = STATEMENT_TIMEOUT + ANSWER_MARGIN_S + CONNECT_TIMEOUT
    with running_instances(cluster_database, tmp_path, ["one"], **settings) as (server,):
        assert server.api.call("GET", SEARCH).status == 200
        with cluster.frozen(), ThreadPoolExecutor(1) as client:
            silent = client.submit(_timed, server.api, "GET", SEARCH)
            wait_until(lambda: server.api.answers("/healthz"), "the other thread answers")
            answer, waited = silent.result()
            assert unavailable_problems(answer) == []
            assert STATEMENT_TIMEOUT + ANSWER_MARGIN_S <= waited < bound + SLACK
        thawed = time.monotonic()
        wait_until(lambda: server.api.answers(SEARCH), "the service serves again")
        back_after = time.monotonic() - thawed
    print(
        f"frozen database: 503 after {waited:.2f}s (bound {bound:.1f}s); "
        f"served {back_after:.2f}s after it answered again"
    )
