from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import attrs
import pytest

from ota_core import (
    DatesUnavailable,
    IdempotencyKeyReused,
    InvalidRequest,
    PolicyViolation,
    ReservationRequest,
    ReservationStatus,
    UnknownProperty,
    parse_idempotency_key,
)
from tests.builders import GUEST, OTHER_GUEST
from tests.unit.conftest import SAMPLE_NOW, Service

FREE = "g3hbWxJ5TdXidt"  # no reservations in the sample data
JAN_4 = dt.date(2021, 1, 4)


def _request(
    property_id: str = FREE, start: dt.date = JAN_4, nights: int = 3
) -> ReservationRequest:
    return ReservationRequest.of(property_id, start, nights)


def test_a_free_stay_is_booked_and_can_be_read_back(service: Service) -> None:
    booked = service.book(_request())

    assert booked.property_id == FREE
    assert (booked.stay.start, booked.stay.nights) == (JAN_4, 3)
    assert booked.status is ReservationStatus.CONFIRMED
    assert booked.created_at == SAMPLE_NOW
    assert service.get.execute(booked.id, GUEST) == booked


def test_a_booked_stay_is_no_longer_offered(service: Service) -> None:
    booked = service.book(_request())
    assert FREE not in service.free_ids(JAN_4, 3)
    assert FREE in service.free_ids(booked.stay.end, 3)


def test_nights_already_taken_are_refused(service: Service) -> None:
    # xE6vqTqA6LTwpE is booked 2021-01-04 for 7 nights.
    with pytest.raises(DatesUnavailable):
        service.book(_request("xE6vqTqA6LTwpE", dt.date(2021, 1, 10), 2))


def test_a_stay_starting_on_a_checkout_day_is_accepted(service: Service) -> None:
    booked = service.book(_request("xE6vqTqA6LTwpE", dt.date(2021, 1, 11), 2))
    assert booked.stay.start == dt.date(2021, 1, 11)


def test_an_unknown_property_is_an_invalid_request(service: Service) -> None:
    with pytest.raises(UnknownProperty) as refused:
        service.book(_request("NoSuchProperty"))
    assert isinstance(refused.value, InvalidRequest)
    assert refused.value.field == "property_id"


def test_a_stay_in_the_past_is_refused(service: Service) -> None:
    with pytest.raises(PolicyViolation, match="in the past"):
        service.book(_request(start=dt.date(2020, 12, 1)))


def test_the_same_idempotency_key_and_request_book_only_once(service: Service) -> None:
    first = service.reserve.execute(_request(), GUEST, idempotency_key="key-1")
    again = service.reserve.execute(_request(), GUEST, idempotency_key="key-1")

    assert again.reservation == first.reservation
    assert (first.replayed, again.replayed) == (False, True)
    assert len(service.store.reservations) == 11 + 1


def test_a_retry_is_answered_even_after_the_nights_were_taken(service: Service) -> None:
    first = service.book(_request(), "key-1")
    assert service.book(_request(), "key-1") == first
    with pytest.raises(DatesUnavailable):
        service.book(_request(), "key-2")


def test_an_idempotency_key_reused_for_another_request_is_refused(service: Service) -> None:
    service.book(_request(), "key-1")
    with pytest.raises(IdempotencyKeyReused):
        service.book(_request(nights=4), "key-1")


def test_a_refused_booking_does_not_use_up_its_idempotency_key(service: Service) -> None:
    with pytest.raises(DatesUnavailable):
        service.book(_request("xE6vqTqA6LTwpE"), "key-1")
    assert service.book(_request(), "key-1").property_id == FREE


@pytest.mark.parametrize("key", ["", "k" * 256, "bad\x00key", "new\nline"])
def test_malformed_idempotency_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidRequest, match="Idempotency-Key"):
        parse_idempotency_key(key)


def test_of_many_threads_booking_the_same_nights_exactly_one_wins(service: Service) -> None:
    racers = 64
    start_together = threading.Barrier(racers)

    def attempt(_: int) -> str:
        start_together.wait()
        try:
            service.book(_request())
        except DatesUnavailable:
            return "refused"
        return "booked"

    with ThreadPoolExecutor(racers) as pool:
        outcome = Counter(pool.map(attempt, range(racers)))

    assert outcome == Counter(booked=1, refused=racers - 1)


def test_concurrent_retries_with_one_key_get_one_reservation(service: Service) -> None:
    racers = 32
    start_together = threading.Barrier(racers)

    def attempt(_: int) -> uuid.UUID:
        start_together.wait()
        return service.book(_request(), "shared-key").id

    with ThreadPoolExecutor(racers) as pool:
        ids = set(pool.map(attempt, range(racers)))

    assert len(ids) == 1


def test_a_booking_belongs_to_whoever_made_it(service: Service) -> None:
    booked = service.book(_request(), owner=OTHER_GUEST)
    assert booked.owner == OTHER_GUEST
    assert service.get.execute(booked.id, OTHER_GUEST) == booked


def test_a_key_is_each_principals_own(service: Service) -> None:
    mine = service.reserve.execute(_request(), GUEST, idempotency_key="key-1")
    # The same key and request from someone else is another request: the nights are taken.
    with pytest.raises(DatesUnavailable):
        service.reserve.execute(_request(), OTHER_GUEST, idempotency_key="key-1")
    # With another request it is no reuse either: it books.
    theirs = service.reserve.execute(_request(nights=2, start=dt.date(2021, 1, 20)), OTHER_GUEST,
                                     idempotency_key="key-1")  # fmt: skip
    assert not theirs.replayed
    assert theirs.reservation.id != mine.reservation.id
    assert theirs.reservation.owner == OTHER_GUEST


def test_a_retry_after_the_stay_began_is_answered_not_refused(service: Service) -> None:
    first = service.reserve.execute(_request(start=dt.date(2021, 1, 2)), GUEST,
                                    idempotency_key="key-1")  # fmt: skip
    service.clock.advance(dt.timedelta(days=2))  # 2021-01-03 12:00 UTC: the start is past
    again = service.reserve.execute(_request(start=dt.date(2021, 1, 2)), GUEST,
                                    idempotency_key="key-1")  # fmt: skip
    assert again == attrs.evolve(first, replayed=True)
    with pytest.raises(IdempotencyKeyReused):
        service.reserve.execute(_request(start=dt.date(2021, 1, 1)), GUEST, idempotency_key="key-1")
    with pytest.raises(PolicyViolation, match="in the past"):
        service.reserve.execute(_request(start=dt.date(2021, 1, 2)), OTHER_GUEST,
                                idempotency_key="key-1")  # fmt: skip
