"""IdempotencyKeys: a key is claimed once."""

from __future__ import annotations

import pytest

from ota_core import IdempotencyKeyTaken, IdempotencyRecord, UnitOfWorkFactory
from tests.builders import a_property, a_reservation


@pytest.fixture
def record(uow: UnitOfWorkFactory) -> IdempotencyRecord:
    reservation = a_reservation("P1")
    with uow() as work:
        work.properties.add(a_property("P1"))
        work.reservations.add(reservation)
        work.commit()
    return IdempotencyRecord("key-1", "P1/2030-01-01/2", reservation.id)


def test_a_claimed_key_reads_back(uow: UnitOfWorkFactory, record: IdempotencyRecord) -> None:
    with uow() as work:
        work.idempotency_keys.add(record)
        work.commit()
    with uow() as work:
        assert work.idempotency_keys.get(record.key) == record


def test_an_unclaimed_key_reads_as_none(uow: UnitOfWorkFactory) -> None:
    with uow() as work:
        assert work.idempotency_keys.get("never-used") is None


def test_a_key_cannot_be_claimed_twice(uow: UnitOfWorkFactory, record: IdempotencyRecord) -> None:
    with uow() as work:
        work.idempotency_keys.add(record)
        work.commit()
    with pytest.raises(IdempotencyKeyTaken), uow() as work:
        work.idempotency_keys.add(record)
    with uow() as work:
        assert work.idempotency_keys.get(record.key) == record
