"""Stopping one of two instances under load: every acknowledged booking is kept, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live import wait_until
from tests.scale.balancer import INSTANCE_HEADER
from tests.scale.cluster import two_instances
from tests.scale.load import booking_load, stored_once
from tests.scale.stored import PROPERTY_IDS, days_ahead, distinct_night

pytestmark = pytest.mark.postgres

# The load books single nights from FIRST_NIGHT days ahead, after the sample stays, for up
# to LOAD_DAYS days: within the booking horizon (1095 days), and no two of them overlap.
FIRST_NIGHT, LOAD_DAYS = 400, 600
LOAD_LIMIT = LOAD_DAYS * len(PROPERTY_IDS)


def _distinct_night(number: int) -> object:
    return distinct_night(number, FIRST_NIGHT)


def test_stopping_an_instance_under_load_loses_no_acknowledged_booking(
    database: str, tmp_path: Path
) -> None:
    """Clients send each booking again with its Idempotency-Key until one answer is a 200."""
    with (
        two_instances(database, tmp_path) as running,
        booking_load(running.balancer.port, _distinct_night, clients=8, limit=LOAD_LIMIT) as load,
    ):
        a, _ = running.instances

        def acknowledged(instance: str) -> int:
            return load.acknowledged_by(instance, INSTANCE_HEADER)

        wait_until(lambda: acknowledged("a") >= 20 and acknowledged("b") >= 20,
                   "both instances acknowledged bookings", seconds=20)  # fmt: skip
        assert a.stop() == 0, a.log_tail()  # SIGTERM: gunicorn answers what it holds, then exits
        at_stop = acknowledged("b")
        wait_until(lambda: acknowledged("b") >= at_stop + 50, "b took the load", seconds=20)
        bookings = load.stop()

    stored_once(database, bookings, since=days_ahead(FIRST_NIGHT))
