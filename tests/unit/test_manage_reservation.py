from __future__ import annotations

import datetime as dt
import uuid

import pytest

from ota_adapters.ids import legacy_reservation_id
from ota_core import (
    ReservationId,
    ReservationNotFound,
    ReservationRequest,
    ReservationStatus,
    StayAlreadyBegun,
)
from tests.builders import GUEST, OTHER_GUEST
from tests.unit.conftest import Service


def test_an_unknown_reservation_is_not_found(service: Service) -> None:
    with pytest.raises(ReservationNotFound):
        service.get.execute(ReservationId(uuid.uuid4()), GUEST)
    with pytest.raises(ReservationNotFound):
        service.cancel.execute(ReservationId(uuid.uuid4()), GUEST)


def test_cancelling_frees_the_nights_for_the_next_guest(service: Service) -> None:
    request = ReservationRequest.of("g3hbWxJ5TdXidt", dt.date(2021, 1, 4), 3)
    booked = service.book(request)

    cancelled = service.cancel.execute(booked.id, GUEST)

    assert cancelled.status is ReservationStatus.CANCELLED
    assert service.get.execute(booked.id, GUEST) == cancelled
    assert service.book(request).id != booked.id


def test_cancelling_twice_changes_nothing(service: Service) -> None:
    booked = service.book(ReservationRequest.of("g3hbWxJ5TdXidt", dt.date(2021, 1, 4), 3))
    first = service.cancel.execute(booked.id, GUEST)
    assert service.cancel.execute(booked.id, GUEST) == first


def test_someone_elses_reservation_is_not_found_and_stays_as_it_was(service: Service) -> None:
    booked = service.book(ReservationRequest.of("g3hbWxJ5TdXidt", dt.date(2021, 1, 4), 3))
    with pytest.raises(ReservationNotFound) as read:
        service.get.execute(booked.id, OTHER_GUEST)
    with pytest.raises(ReservationNotFound) as cancelled:
        service.cancel.execute(booked.id, OTHER_GUEST)
    unknown = ReservationId(uuid.uuid4())
    with pytest.raises(ReservationNotFound) as not_there:
        service.get.execute(unknown, OTHER_GUEST)
    assert (
        str(read.value)
        == str(cancelled.value)
        == str(not_there.value).replace(str(unknown), str(booked.id))
    )
    assert service.get.execute(booked.id, GUEST).status is ReservationStatus.CONFIRMED


def test_a_legacy_reservation_is_nobodys(service: Service) -> None:
    # The sample data's stays are legacy: xE6vqTqA6LTwpE from 2021-01-04, 7 nights.
    legacy = ReservationId(legacy_reservation_id("xE6vqTqA6LTwpE", dt.date(2021, 1, 4), 7))
    assert service.store.reservations[legacy].owner is None
    for principal in (GUEST, OTHER_GUEST):
        with pytest.raises(ReservationNotFound):
            service.get.execute(legacy, principal)
        with pytest.raises(ReservationNotFound):
            service.cancel.execute(legacy, principal)


@pytest.mark.parametrize("days_after_start", [0, 1, 5])
def test_a_stay_that_has_begun_is_not_cancelled(service: Service, days_after_start: int) -> None:
    booked = service.book(ReservationRequest.of("g3hbWxJ5TdXidt", dt.date(2021, 1, 4), 3))
    service.clock.advance(dt.timedelta(days=3 + days_after_start))  # 2021-01-04 12:00 UTC, ...
    with pytest.raises(StayAlreadyBegun):
        service.cancel.execute(booked.id, GUEST)
    assert service.get.execute(booked.id, GUEST) == booked


def test_a_stay_starting_tomorrow_utc_can_still_be_cancelled(service: Service) -> None:
    booked = service.book(ReservationRequest.of("g3hbWxJ5TdXidt", dt.date(2021, 1, 4), 3))
    service.clock.advance(dt.timedelta(days=2, hours=11))  # 2021-01-03 23:00 UTC
    assert service.cancel.execute(booked.id, GUEST).status is ReservationStatus.CANCELLED


def test_a_cancelled_stay_cancelled_again_after_it_began_changes_nothing(service: Service) -> None:
    booked = service.book(ReservationRequest.of("g3hbWxJ5TdXidt", dt.date(2021, 1, 4), 3))
    cancelled = service.cancel.execute(booked.id, GUEST)
    service.clock.advance(dt.timedelta(days=10))
    assert service.cancel.execute(booked.id, GUEST) == cancelled
