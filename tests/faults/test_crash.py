"""A worker, then the whole server, killed (SIGKILL) while clients book.

Each client sends a booking again, with the same Idempotency-Key, until it
gets a 200: what a careful client does when a connection drops or the
service answers 503 (`tests.scale.load`).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.faults.requests import RESERVATIONS, SMALL
from tests.live import wait_until
from tests.scale.clients import header
from tests.scale.instances import Instance, running_instances
from tests.scale.load import BookingLoad, booking_load, stored_once
from tests.scale.stored import days_ahead, distinct_night

pytestmark = pytest.mark.postgres

CLIENTS = 4
BOOKINGS = 240
FIRST_DAY = 10  # after the sample stays; 240 nights over 7 properties end within 50 days
FINISH_SECONDS = 120
REPLAYED = "Idempotent-Replayed"


def _night(number: int) -> object:
    return distinct_night(number, FIRST_DAY)


def _done(load: BookingLoad) -> int:
    return len(load.bookings())


def _kill_one_worker(server: Instance, load: BookingLoad) -> None:
    workers = set(server.workers())
    os.kill(min(workers), signal.SIGKILL)
    at_kill = _done(load)
    wait_until(
        lambda: len(set(server.workers()) - workers) == 1 and len(server.workers()) == 2,
        "gunicorn replaces the killed worker",
    )
    wait_until(lambda: _done(load) >= at_kill + 40, "bookings go on")


def test_every_acknowledged_booking_survives_crashes_once_and_retries_get_the_same_id(
    sample_database: str, tmp_path: Path
) -> None:
    with (
        running_instances(sample_database, tmp_path, ["first"], **SMALL) as (first,),
        booking_load(first.port, _night, clients=CLIENTS, limit=BOOKINGS) as load,
    ):
        wait_until(lambda: _done(load) >= 40, "bookings are acknowledged")
        _kill_one_worker(first, load)
        first.kill()
        crashed, waiting = time.monotonic(), BOOKINGS - _done(load)
        with running_instances(sample_database, tmp_path, ["second"], port=first.port, **SMALL) as (
            second,
        ):
            wait_until(lambda: _done(load) == BOOKINGS, "every booking ends", FINISH_SECONDS)
            finished_after = time.monotonic() - crashed
            bookings = load.stop()
            again = [
                second.api.call("POST", RESERVATIONS, b.wanted, {"Idempotency-Key": b.key})
                for b in bookings
            ]

    reservation_of = stored_once(sample_database, bookings, since=days_ahead(FIRST_DAY))
    assert [(a.status, header(a, REPLAYED)) for a in again] == [(200, "true")] * BOOKINGS
    assert [a.json()["reservation_id"] for a in again] == [reservation_of[b.key] for b in bookings]
    cut = [b for b in bookings if b.errors]
    assert cut, "the crashes cut requests that the clients then sent again"
    # Made by a try whose answer the crash cut: the next try was told of it.
    replayed = [b for b in bookings if b.acknowledged and header(b.acknowledged, REPLAYED)]
    print(  # for the record (pytest -s)
        f"{BOOKINGS} bookings; {len(cut)} had a request cut by a crash and sent again, "
        f"{len(replayed)} of them had been made by the cut try; {waiting} were still to make "
        f"at the crash, all made {finished_after:.2f}s after it"
    )
