"""Holds, confirmations and date changes racing over HTTP, on gunicorn and PostgreSQL.

One instance as shipped (4 workers x 25 threads), holds that last 2 seconds.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.live import Answer
from tests.scale.clients import RESERVATIONS, Request, exchange, kept_alive, race
from tests.scale.instances import Instance, running_instances
from tests.scale.stored import PROPERTY_IDS, booking, days_ahead

pytestmark = pytest.mark.postgres

HOLDS = "/api/v1/holds"
CLIENTS = 100
TTL_SECONDS = 2


@pytest.fixture(scope="module")
def instance(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    workdir = tmp_path_factory.mktemp("lifecycle")
    with running_instances(database, workdir, ["holds"], HOLD_TTL_SECONDS=str(TTL_SECONDS)) as (
        holds,
    ):
        yield holds


def _statuses(answers: list[Answer]) -> Counter[int]:
    return Counter(answer.status for answer in answers)


def _expiry(answer: Answer) -> float:
    """The hold's `expires_at`, as a POSIX time."""
    return dt.datetime.fromisoformat(answer.json()["expires_at"]).timestamp()


def test_of_a_hundred_holds_of_one_stay_exactly_one_is_made(instance: Instance) -> None:
    wanted = booking(PROPERTY_IDS[0], days_ahead(400), 3)
    with kept_alive(instance.port, CLIENTS) as connections:
        answers = race(connections, Request("POST", HOLDS, wanted))
    assert _statuses(answers) == {201: 1, 409: CLIENTS - 1}


def test_a_hold_blocks_a_booking_for_its_time_to_live_and_not_after(instance: Instance) -> None:
    api = instance.api
    wanted = booking(PROPERTY_IDS[1], days_ahead(410), 2)
    held = api.call("POST", HOLDS, wanted)
    assert held.status == 201
    assert api.call("POST", RESERVATIONS, wanted).status == 409
    time.sleep(max(0.0, _expiry(held) - time.time() - 0.5))
    assert api.call("POST", RESERVATIONS, wanted).status == 409
    time.sleep(max(0.0, _expiry(held) - time.time()) + 0.01)
    assert api.call("POST", RESERVATIONS, wanted).status == 200


def test_a_confirmation_racing_expiry_ends_confirmed_or_gone(instance: Instance) -> None:
    """Confirmations sent from just before to just after each hold's expiry.

    Each is a 200 whose reservation keeps its nights, or a 410 after which the
    nights can be booked: never a confirmation that leaves the nights free.
    """
    api = instance.api
    stays = [booking(PROPERTY_IDS[2], days_ahead(420 + 3 * n), 2) for n in range(20)]
    holds = [api.call("POST", HOLDS, stay) for stay in stays]
    assert {h.status for h in holds} == {201}
    expiry = _expiry(holds[0])
    offsets = [(n - 10) * 0.005 for n in range(len(holds))]  # -50 ms ... +45 ms
    outcomes: Counter[int] = Counter()
    with kept_alive(instance.port, len(holds)) as connections:
        for connection, held, offset in zip(connections, holds, offsets, strict=True):
            time.sleep(max(0.0, expiry + offset - time.time()))
            hold_id = held.json()["hold_id"]
            answer = exchange(connection, Request("POST", f"{HOLDS}/{hold_id}/confirm"))
            outcomes[answer.status] += 1
            rebook = api.call("POST", RESERVATIONS, stays[holds.index(held)])
            if answer.status == 200:
                assert api.call("GET", f"{RESERVATIONS}/{hold_id}").status == 200
                assert rebook.status == 409
            else:
                assert answer.status == 410, answer.body
                assert answer.json()["code"] == "hold_expired"
                assert rebook.status == 200
    assert set(outcomes) <= {200, 410}, outcomes


def test_a_date_change_racing_bookings_of_the_same_nights_has_one_winner(
    instance: Instance,
) -> None:
    api = instance.api
    property_id = PROPERTY_IDS[3]
    for round_ in range(5):
        first = days_ahead(500 + 20 * round_)
        booked = api.call("POST", RESERVATIONS, booking(property_id, first, 2))
        assert booked.status == 200
        reservation_id = booked.json()["reservation_id"]
        target = first + dt.timedelta(days=6)
        change = Request(
            "PATCH", f"{RESERVATIONS}/{reservation_id}", {"start_date": target.isoformat()}
        )
        rival = Request("POST", RESERVATIONS, booking(property_id, target, 3))
        with kept_alive(instance.port, 20) as connections:
            changed, *booked_instead = race(connections, [change] + [rival] * 19)
        winners = [a for a in [changed, *booked_instead] if a.status == 200]
        assert len(winners) == 1, _statuses([changed, *booked_instead])
        assert {a.status for a in [changed, *booked_instead]} <= {200, 409}
        stored = api.call("GET", f"{RESERVATIONS}/{reservation_id}").json()
        assert stored["start_date"] == (target if changed.status == 200 else first).isoformat()
