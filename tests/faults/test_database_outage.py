"""The database goes away under load and comes back: 503s meanwhile, then service as before."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.faults.cluster import Cluster
from tests.faults.load import Load, Outcome, load_on
from tests.faults.requests import (
    RESERVATIONS,
    SEARCH,
    SMALL,
    a_reservation_path,
    unavailable_problems,
)
from tests.live import wait_until
from tests.scale.instances import Instance, running_instances
from tests.scale.stored import distinct_night

pytestmark = pytest.mark.postgres

KINDS = {
    "search": lambda _client, _n: ("GET", SEARCH, None),
    "book": lambda client, n: ("POST", RESERVATIONS, distinct_night(n, 1 + client * 100)),
    "read": lambda _client, _n: ("GET", a_reservation_path(), None),
}
EXPECTED = {"search": {200, 503}, "book": {200, 409, 503}, "read": {404, 503}}
LEAKS = ("Traceback", "psycopg2", "sqlalchemy", "OperationalError", "postgres")
SERVED = 10  # successful answers of each kind that show the service is up


def _served_each_kind(load: Load, since: float) -> bool:
    ok = {kind: min(codes) for kind, codes in EXPECTED.items()}
    return all(load.count(ok[kind], since=since, kind=kind) >= SERVED for kind in KINDS)


def _check_every_answer(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        assert outcome.answer is not None, f"a client lost its connection: {outcome.error}"
        assert outcome.status in EXPECTED[outcome.kind], outcome
        body = outcome.answer.body.decode(errors="replace")
        assert not any(leak in body for leak in LEAKS), body
        if outcome.status == 503:
            assert unavailable_problems(outcome.answer) == []


def _check_the_database_is_down(server: Instance) -> None:
    api = server.api
    for method, path, body in [
        ("GET", SEARCH, None),
        ("POST", RESERVATIONS, distinct_night(0, 1000)),
        ("GET", a_reservation_path(), None),
        ("DELETE", a_reservation_path(), None),
        ("GET", "/readyz", None),
    ]:
        assert unavailable_problems(api.call(method, path, body)) == [], (method, path)
    assert api.call("GET", "/healthz").status == 200


def test_an_outage_is_answered_with_503s_and_the_service_recovers_by_itself(
    cluster: Cluster, cluster_database: str, tmp_path: Path
) -> None:
    settings = SMALL | {"DB_POOL_SIZE": "2"}
    with (
        running_instances(cluster_database, tmp_path, ["one"], **settings) as (server,),
        load_on(server.api, KINDS) as load,
    ):
        workers = server.workers()
        wait_until(lambda: _served_each_kind(load, since=0), "every kind of request is served")

        stopped = time.monotonic()
        cluster.stop()
        wait_until(lambda: load.count(503, since=stopped) >= 20, "the clients get 503s")
        first_503 = min(o.at for o in load.seen() if o.status == 503) - stopped
        _check_the_database_is_down(server)

        restarted = time.monotonic()
        cluster.start()
        wait_until(lambda: server.api.answers("/readyz"), "/readyz answers 200 again")
        ready_after = time.monotonic() - restarted
        wait_until(lambda: _served_each_kind(load, since=restarted), "service resumes")
        recovered = time.monotonic() - restarted

        assert server.workers() == workers, "recovered without restarting a worker"
    outcomes = load.seen()
    _check_every_answer(outcomes)
    errors = [line for line in server.log_lines() if line["level"] in {"ERROR", "CRITICAL"}]
    assert errors == []
    print(  # the timings, for the record (pytest -s)
        f"first 503 {first_503:.2f}s after the stop; ready {ready_after:.2f}s and serving "
        f"{recovered:.2f}s after the restart; {len(outcomes)} answers, "
        f"{load.count(503)} of them 503"
    )
