"""Holding, confirming and releasing stays through the use cases, on the in-memory store."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from ota_core import (
    DatesUnavailable,
    HoldExpired,
    HoldNotFound,
    HoldReleased,
    IdempotencyKeyReused,
    PolicyViolation,
    ReservationId,
    ReservationNotFound,
    ReservationRequest,
)
from tests.unit.conftest import HOLD_TTL, SAMPLE_NOW, Service

CONDO = "g3hbWxJ5TdXidt"
STAY = ReservationRequest.of(CONDO, dt.date(2021, 1, 4), 3)
OVERLAPPING = ReservationRequest.of(CONDO, dt.date(2021, 1, 6), 2)


def test_a_hold_expires_after_its_time_to_live(service: Service) -> None:
    hold = service.hold.execute(STAY)
    assert hold.expires_at == SAMPLE_NOW + HOLD_TTL
    assert hold.is_hold


def test_a_live_hold_takes_its_nights_from_everyone(service: Service) -> None:
    service.hold.execute(STAY)
    with pytest.raises(DatesUnavailable):
        service.book(OVERLAPPING)
    with pytest.raises(DatesUnavailable):
        service.hold.execute(OVERLAPPING)
    assert CONDO not in service.free_ids(dt.date(2021, 1, 5), 1)


def test_an_expired_hold_gives_its_nights_back_at_once(service: Service) -> None:
    service.hold.execute(STAY)
    service.clock.advance(HOLD_TTL)
    assert CONDO in service.free_ids(dt.date(2021, 1, 5), 1)
    assert service.book(OVERLAPPING).stay == OVERLAPPING.stay


def test_the_policy_applies_to_a_hold(service: Service) -> None:
    with pytest.raises(PolicyViolation):
        service.hold.execute(ReservationRequest.of(CONDO, dt.date(2020, 12, 1), 3))


def test_a_confirmed_hold_is_a_reservation_under_the_same_id(service: Service) -> None:
    hold = service.hold.execute(STAY)
    booking = service.confirm.execute(hold.id)
    assert not booking.replayed
    assert booking.reservation == hold.confirm()
    assert service.get.execute(hold.id) == hold.confirm()
    service.clock.advance(HOLD_TTL * 2)
    with pytest.raises(DatesUnavailable):
        service.book(OVERLAPPING)


def test_confirming_twice_answers_the_same_reservation(service: Service) -> None:
    hold = service.hold.execute(STAY)
    first = service.confirm.execute(hold.id, idempotency_key="k")
    again = service.confirm.execute(hold.id, idempotency_key="k")
    assert again.reservation == first.reservation
    assert again.replayed


def test_an_idempotency_key_of_another_request_is_refused(service: Service) -> None:
    service.reserve.execute(
        ReservationRequest.of(CONDO, dt.date(2021, 2, 4), 3), idempotency_key="k"
    )
    hold = service.hold.execute(STAY)
    with pytest.raises(IdempotencyKeyReused):
        service.confirm.execute(hold.id, idempotency_key="k")
    assert service.store.reservations[hold.id] == hold


def test_an_expired_hold_cannot_be_confirmed(service: Service) -> None:
    hold = service.hold.execute(STAY)
    service.clock.advance(HOLD_TTL)
    with pytest.raises(HoldExpired):
        service.confirm.execute(hold.id)


def test_a_released_hold_frees_its_nights_and_cannot_be_confirmed(service: Service) -> None:
    hold = service.hold.execute(STAY)
    released = service.release.execute(hold.id)
    assert service.release.execute(hold.id) == released
    with pytest.raises(HoldReleased):
        service.confirm.execute(hold.id)
    service.book(OVERLAPPING)


def test_holds_are_not_reservations_nor_reservations_holds(service: Service) -> None:
    hold = service.hold.execute(STAY)
    with pytest.raises(ReservationNotFound):
        service.get.execute(hold.id)
    with pytest.raises(ReservationNotFound):
        service.cancel.execute(hold.id)
    booked = service.book(ReservationRequest.of(CONDO, dt.date(2021, 3, 4), 3))
    with pytest.raises(HoldNotFound):
        service.release.execute(booked.id)
    with pytest.raises(HoldNotFound):
        service.confirm.execute(ReservationId(uuid.uuid4()))
