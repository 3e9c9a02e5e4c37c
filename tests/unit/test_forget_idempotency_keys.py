"""Idempotency keys are kept for their retention, then forgotten in batches."""

from __future__ import annotations

import datetime as dt

import pytest

from ota_core import ForgetIdempotencyKeys, ReservationRequest
from tests.builders import GUEST
from tests.unit.conftest import Service

DAY = dt.timedelta(hours=24)
HOUR = dt.timedelta(hours=1)
PROPERTY = "g3hbWxJ5TdXidt"  # no reservations in the sample data


def _request(nth: int) -> ReservationRequest:
    """The nth of a series of back-to-back two-night stays."""
    return ReservationRequest.of(PROPERTY, dt.date(2021, 2, 1) + nth * 2 * dt.timedelta(1), 2)


def _forget(service: Service, batch_size: int = 1000) -> int:
    return ForgetIdempotencyKeys(
        service.store.unit_of_work, service.clock, DAY, batch_size
    ).execute()


def test_keys_younger_than_the_retention_are_kept(service: Service) -> None:
    service.book(_request(0), key="old")
    service.clock.advance(DAY - HOUR)
    service.book(_request(1), key="new")

    assert _forget(service) == 0
    assert {key for _, key in service.store.idempotency} == {"old", "new"}


def test_keys_past_the_retention_are_forgotten_and_their_bookings_kept(service: Service) -> None:
    first = service.book(_request(0), key="old")
    service.clock.advance(DAY + HOUR)
    service.book(_request(1), key="new")

    assert _forget(service) == 1
    assert {key for _, key in service.store.idempotency} == {"new"}
    assert service.get.execute(first.id, GUEST) == first


def test_keys_are_forgotten_in_as_many_batches_as_needed(service: Service) -> None:
    for nth in range(7):
        service.book(_request(nth), key=f"key-{nth}")
    service.clock.advance(2 * DAY)

    assert _forget(service, batch_size=3) == 7
    assert service.store.idempotency == {}


def test_a_forgotten_key_sent_again_books_anew(service: Service) -> None:
    first = service.book(_request(0), key="retried-too-late")
    service.clock.advance(2 * DAY)
    _forget(service)

    again = service.reserve.execute(_request(1), GUEST, idempotency_key="retried-too-late")

    assert not again.replayed
    assert again.reservation.id != first.id


@pytest.mark.parametrize(
    ("retention", "batch_size"), [(dt.timedelta(0), 10), (-HOUR, 10), (DAY, 0)]
)
def test_a_retention_or_batch_that_cannot_work_is_refused(
    service: Service, retention: dt.timedelta, batch_size: int
) -> None:
    with pytest.raises(ValueError, match="must be"):
        ForgetIdempotencyKeys(service.store.unit_of_work, service.clock, retention, batch_size)
