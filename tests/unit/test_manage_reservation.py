from __future__ import annotations

import datetime as dt
import uuid

import pytest

from ota_core import ReservationId, ReservationNotFound, ReservationRequest, ReservationStatus
from tests.unit.conftest import Service


def test_an_unknown_reservation_is_not_found(service: Service) -> None:
    with pytest.raises(ReservationNotFound):
        service.get.execute(ReservationId(uuid.uuid4()))
    with pytest.raises(ReservationNotFound):
        service.cancel.execute(ReservationId(uuid.uuid4()))


def test_cancelling_frees_the_nights_for_the_next_guest(service: Service) -> None:
    request = ReservationRequest.of("g3hbWxJ5TdXidt", dt.date(2021, 1, 4), 3)
    booked = service.book(request)

    cancelled = service.cancel.execute(booked.id)

    assert cancelled.status is ReservationStatus.CANCELLED
    assert service.get.execute(booked.id) == cancelled
    assert service.book(request).id != booked.id


def test_cancelling_twice_changes_nothing(service: Service) -> None:
    booked = service.book(ReservationRequest.of("g3hbWxJ5TdXidt", dt.date(2021, 1, 4), 3))
    first = service.cancel.execute(booked.id)
    assert service.cancel.execute(booked.id) == first
