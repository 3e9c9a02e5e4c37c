"""Two app instances behind a load balancer agree, and race as one."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.scale.balancer import INSTANCE_HEADER
from tests.scale.clients import RESERVATIONS, Request, header, kept_alive, race
from tests.scale.cluster import Cluster, two_instances
from tests.scale.stored import PROPERTY_IDS, booking, days_ahead, reservation_ids

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def cluster(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with two_instances(database, tmp_path_factory.mktemp("two")) as running:
        yield running


def test_what_one_instance_books_the_other_reads_refuses_replays_and_cancels(
    cluster: Cluster, database: str
) -> None:
    property_id, start = PROPERTY_IDS[2], days_ahead(90)
    wanted = booking(property_id, start, nights=2)
    free_before = cluster.free("a", start, 2)
    assert free_before == cluster.free("b", start, 2)
    assert property_id in free_before

    made = cluster.call("a", "POST", RESERVATIONS, wanted, key="agree-1")
    assert made.status == 200
    reservation = made.json()
    path = f"{RESERVATIONS}/{reservation['reservation_id']}"

    assert cluster.call("b", "GET", path).json() == reservation
    assert property_id not in cluster.free("b", start, 2)
    assert cluster.free("a", start, 2) == cluster.free("b", start, 2)
    overlapping = booking(property_id, start + dt.timedelta(days=1), nights=2)
    assert cluster.call("b", "POST", RESERVATIONS, overlapping).status == 409
    replayed = cluster.call("b", "POST", RESERVATIONS, wanted, key="agree-1")
    assert (replayed.status, replayed.json()) == (200, reservation)
    assert header(replayed, "Idempotent-Replayed") == "true"

    assert cluster.call("b", "DELETE", path).status == 204
    assert cluster.call("a", "GET", path).json()["status"] == "cancelled"
    assert property_id in cluster.free("a", start, 2)
    assert reservation_ids(database, property_id, since=start) == [reservation["reservation_id"]]


def test_of_a_hundred_simultaneous_bookings_through_the_balancer_one_is_made(
    cluster: Cluster, database: str
) -> None:
    property_id, start = PROPERTY_IDS[3], days_ahead(120)
    wanted = booking(property_id, start, nights=3)

    with kept_alive(cluster.balancer.port, 100) as connections:
        answers = race(connections, Request("POST", RESERVATIONS, wanted))

    assert Counter(a.status for a in answers) == {200: 1, 409: 99}
    assert {header(a, INSTANCE_HEADER) for a in answers} == {"a", "b"}
    (made,) = [a.json()["reservation_id"] for a in answers if a.status == 200]
    assert reservation_ids(database, property_id, since=start) == [made]
