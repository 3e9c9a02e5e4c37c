"""The single-node races, run on the cluster: the database decides every one.

100 bookings of one stay: one made, 99 refused, the one stored; overlapping stays
never both made; racing retries with one idempotency key make one reservation.
And what Citus once got wrong (a refused insert reported as `INSERT 0 1`): every
booking acknowledged is stored, and readable by its id.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
import sqlalchemy as sa

from ota_adapters.clock import FixedClock
from ota_adapters.postgres import PostgresReadOnlyUnitOfWork, PostgresUnitOfWork
from ota_core import (
    AvailabilityPolicy,
    CancelReservation,
    GetReservation,
    Reservation,
    ReservationRequest,
)
from tests.builders import GUEST, RECORDED_AT, day
from tests.integration.postgres import test_races as single_node

pytestmark = pytest.mark.citus

test_of_a_hundred_bookings_of_the_same_nights_exactly_one_is_made = (
    single_node.test_of_a_hundred_bookings_of_the_same_nights_exactly_one_is_made
)
test_overlapping_but_different_bookings_never_both_succeed = (
    single_node.test_overlapping_but_different_bookings_never_both_succeed
)
test_concurrent_requests_with_one_idempotency_key_make_one_reservation = (
    single_node.test_concurrent_requests_with_one_idempotency_key_make_one_reservation
)

PROPERTIES = [f"P{n}" for n in range(8)]  # spread over the shards


def test_every_acknowledged_booking_is_stored_and_readable(engine: sa.Engine) -> None:
    single_node._given_properties(engine, *PROPERTIES)
    reserve = single_node._reserve(engine)
    requests = [
        ReservationRequest.of(property_id, day(offset), 2)
        for property_id in PROPERTIES
        for offset in range(0, 12, 1)
    ]

    results = single_node._all_at_once([partial(reserve, request) for request in requests])

    made = [result for result in results if isinstance(result, Reservation)]
    assert set(single_node._outcomes(results)) <= {"Reservation", "DatesUnavailable"}
    assert len(made) >= len(PROPERTIES)
    read = GetReservation(partial(PostgresReadOnlyUnitOfWork, engine))
    assert [read.execute(reservation.id, GUEST) for reservation in made] == made
    assert len(single_node._stored(engine)) == len(made)


def test_cancelled_nights_go_to_exactly_one_of_the_racers_for_them(engine: sa.Engine) -> None:
    single_node._given_properties(engine, "P1")
    reserve = single_node._reserve(engine)
    request = ReservationRequest.of("P1", day(10), 3)
    first = reserve(request)
    cancel = CancelReservation(
        partial(PostgresUnitOfWork, engine), AvailabilityPolicy(), FixedClock(RECORDED_AT)
    )
    cancel.execute(first.id, GUEST)

    results = single_node._all_at_once([partial(reserve, request)] * 20)

    assert single_node._outcomes(results) == Counter(Reservation=1, DatesUnavailable=19)
    assert len(single_node._stored(engine)) == 2  # the cancelled one, and the new one
