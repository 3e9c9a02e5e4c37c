"""100 requests at once over HTTP, on one app instance with gunicorn's default size."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import attrs
import pytest

from ota_web.settings import DEFAULT_THREADS, DEFAULT_WORKERS, Settings
from tests.live import Answer, wait_until
from tests.scale import procfs
from tests.scale.clients import RESERVATIONS, Race, Request, kept_alive
from tests.scale.instances import Instance, running_instances
from tests.scale.stored import (
    PROPERTY_IDS,
    booking,
    bookings_held,
    days_ahead,
    idempotency_keys,
    reservation_ids,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not procfs.READABLE, reason="reads the server's connections in /proc"),
]

CLIENTS = 100
_DEFAULTS = Settings()
POOL = _DEFAULTS.db_pool_size + _DEFAULTS.db_max_overflow  # connections per worker, at most
# Held bookings hit the statement timeout after 5 s (a 503): stop waiting before that.
HOLD_SECONDS = _DEFAULTS.db_statement_timeout_ms / 1000 - 1


@pytest.fixture(scope="module")
def instance(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """gunicorn as shipped: no size set, so 4 workers x 25 threads, each worker a pool of 15."""
    with running_instances(database, tmp_path_factory.mktemp("one"), ["solo"]) as (solo,):
        yield solo


@attrs.frozen
class HeldRace:
    answers: list[Answer]
    connections_by_worker: dict[int, int]  # accepted before the race, by worker pid
    in_database: int  # bookings waiting in the database at once, the most the server let in


def _race_held(instance: Instance, database: str, request: Request, property_id: str) -> HeldRace:
    """`request` from CLIENTS clients at once, all in the server before any can be answered.

    Bookings of the property are held in the database until every request is
    sent and the server has let in as many as its workers' pools allow.
    """
    with kept_alive(instance.port, CLIENTS) as connections:
        wait_until(lambda: sum(instance.connections_by_worker().values()) == CLIENTS,
                   "the workers accepted every connection", seconds=10)  # fmt: skip
        by_worker = instance.connections_by_worker()
        # Each worker runs a request per thread, and each running booking holds a pooled
        # connection; the rest wait for a thread or a connection inside the worker.
        expected = sum(min(held, DEFAULT_THREADS, POOL) for held in by_worker.values())
        with bookings_held(database, property_id) as waiting:
            run = Race(connections, request)
            wait_until(lambda: int(run.sent) == CLIENTS and waiting() == expected,
                       f"{CLIENTS} requests sent and {expected} bookings in the database",
                       seconds=HOLD_SECONDS)  # fmt: skip
            assert run.answered() == 0
        return HeldRace(run.answers(), by_worker, expected)


def _check_capacity(instance: Instance, race: HeldRace) -> None:
    """The server held every request at once, on every worker, as many in the database as pooled."""
    assert DEFAULT_WORKERS * DEFAULT_THREADS >= CLIENTS
    assert sorted(race.connections_by_worker) == sorted(instance.workers())
    assert len(race.connections_by_worker) == DEFAULT_WORKERS
    assert sum(race.connections_by_worker.values()) == CLIENTS
    assert all(race.connections_by_worker.values()), "a worker took no connection"


def test_of_a_hundred_simultaneous_bookings_of_the_same_nights_one_is_made(
    instance: Instance, database: str
) -> None:
    property_id, start = PROPERTY_IDS[0], days_ahead(60)
    wanted = booking(property_id, start, nights=3)

    race = _race_held(instance, database, Request("POST", RESERVATIONS, wanted), property_id)

    _check_capacity(instance, race)
    assert Counter(a.status for a in race.answers) == {200: 1, 409: CLIENTS - 1}
    (made,) = [a.json()["reservation_id"] for a in race.answers if a.status == 200]
    assert reservation_ids(database, property_id, since=start) == [made]


def test_a_hundred_simultaneous_retries_of_one_idempotent_booking_make_one_reservation(
    instance: Instance, database: str
) -> None:
    property_id, start = PROPERTY_IDS[1], days_ahead(60)
    wanted = booking(property_id, start, nights=3)
    request = Request("POST", RESERVATIONS, wanted, {"Idempotency-Key": "one-key-100-clients"})

    race = _race_held(instance, database, request, property_id)

    _check_capacity(instance, race)
    assert Counter(a.status for a in race.answers) == {200: CLIENTS}
    made = {a.json()["reservation_id"] for a in race.answers}
    assert len(made) == 1
    assert reservation_ids(database, property_id, since=start) == sorted(made)
    assert idempotency_keys(database) == {"one-key-100-clients": made.pop()}
