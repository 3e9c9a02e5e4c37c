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
from tests.builders import GUEST, OTHER_GUEST
from tests.unit.conftest import HOLD_TTL, SAMPLE_NOW, Service

CONDO = "g3hbWxJ5TdXidt"
STAY = ReservationRequest.of(CONDO, dt.date(2021, 1, 4), 3)
OVERLAPPING = ReservationRequest.of(CONDO, dt.date(2021, 1, 6), 2)


def test_a_hold_expires_after_its_time_to_live(service: Service) -> None:
    hold = service.hold.execute(STAY, GUEST)
    assert hold.expires_at == SAMPLE_NOW + HOLD_TTL
    assert hold.is_hold


def test_a_live_hold_takes_its_nights_from_everyone(service: Service) -> None:
    service.hold.execute(STAY, GUEST)
    with pytest.raises(DatesUnavailable):
        service.book(OVERLAPPING)
    with pytest.raises(DatesUnavailable):
        service.hold.execute(OVERLAPPING, GUEST)
    assert CONDO not in service.free_ids(dt.date(2021, 1, 5), 1)


def test_an_expired_hold_gives_its_nights_back_at_once(service: Service) -> None:
    service.hold.execute(STAY, GUEST)
    service.clock.advance(HOLD_TTL)
    assert CONDO in service.free_ids(dt.date(2021, 1, 5), 1)
    assert service.book(OVERLAPPING).stay == OVERLAPPING.stay


def test_the_policy_applies_to_a_hold(service: Service) -> None:
    with pytest.raises(PolicyViolation):
        service.hold.execute(ReservationRequest.of(CONDO, dt.date(2020, 12, 1), 3), GUEST)


def test_a_confirmed_hold_is_a_reservation_under_the_same_id(service: Service) -> None:
    hold = service.hold.execute(STAY, GUEST)
    booking = service.confirm.execute(hold.id, GUEST)
    assert not booking.replayed
    assert booking.reservation == hold.confirm()
    assert service.get.execute(hold.id, GUEST) == hold.confirm()
    service.clock.advance(HOLD_TTL * 2)
    with pytest.raises(DatesUnavailable):
        service.book(OVERLAPPING)


def test_confirming_twice_answers_the_same_reservation(service: Service) -> None:
    hold = service.hold.execute(STAY, GUEST)
    first = service.confirm.execute(hold.id, GUEST, idempotency_key="k")
    again = service.confirm.execute(hold.id, GUEST, idempotency_key="k")
    assert again.reservation == first.reservation
    assert again.replayed


def test_an_idempotency_key_of_another_request_is_refused(service: Service) -> None:
    service.book(ReservationRequest.of(CONDO, dt.date(2021, 2, 4), 3), key="k")
    hold = service.hold.execute(STAY, GUEST)
    with pytest.raises(IdempotencyKeyReused):
        service.confirm.execute(hold.id, GUEST, idempotency_key="k")
    assert service.store.reservations[hold.id] == hold


def test_an_expired_hold_cannot_be_confirmed(service: Service) -> None:
    hold = service.hold.execute(STAY, GUEST)
    service.clock.advance(HOLD_TTL)
    with pytest.raises(HoldExpired):
        service.confirm.execute(hold.id, GUEST)


def test_a_released_hold_frees_its_nights_and_cannot_be_confirmed(service: Service) -> None:
    hold = service.hold.execute(STAY, GUEST)
    released = service.release.execute(hold.id, GUEST)
    assert service.release.execute(hold.id, GUEST) == released
    with pytest.raises(HoldReleased):
        service.confirm.execute(hold.id, GUEST)
    service.book(OVERLAPPING)


def test_holds_are_not_reservations_nor_reservations_holds(service: Service) -> None:
    hold = service.hold.execute(STAY, GUEST)
    with pytest.raises(ReservationNotFound):
        service.get.execute(hold.id, GUEST)
    with pytest.raises(ReservationNotFound):
        service.cancel.execute(hold.id, GUEST)
    booked = service.book(ReservationRequest.of(CONDO, dt.date(2021, 3, 4), 3))
    with pytest.raises(HoldNotFound):
        service.release.execute(booked.id, GUEST)
    with pytest.raises(HoldNotFound):
        service.confirm.execute(ReservationId(uuid.uuid4()), GUEST)


def test_only_the_owner_reaches_a_hold(service: Service) -> None:
    hold = service.hold.execute(STAY, GUEST)
    with pytest.raises(HoldNotFound):
        service.confirm.execute(hold.id, OTHER_GUEST)
    with pytest.raises(HoldNotFound):
        service.release.execute(hold.id, OTHER_GUEST)
    assert service.store.reservations[hold.id] == hold
