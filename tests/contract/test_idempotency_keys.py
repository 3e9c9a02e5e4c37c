"""IdempotencyKeys: a key is claimed once, and forgotten once old enough."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from ota_core import IdempotencyKeyTaken, IdempotencyRecord, UnitOfWorkFactory
from tests.builders import RECORDED_AT, a_property, a_reservation

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def record(uow: UnitOfWorkFactory) -> IdempotencyRecord:
    reservation = a_reservation("P1")
    with uow() as work:
        work.properties.add(a_property("P1"))
        work.reservations.add(reservation)
        work.commit()
    return IdempotencyRecord("key-1", "P1/2030-01-01/2", reservation.id, RECORDED_AT)


def _claim_keys(uow: UnitOfWorkFactory, record: IdempotencyRecord, ages: list[int]) -> None:
    """Claims `key-<n>` recorded `ages[n]` hours before RECORDED_AT, all for one reservation."""
    with uow() as work:
        for n, hours in enumerate(ages):
            work.idempotency_keys.add(
                attrs.evolve(record, key=f"key-{n}", recorded_at=RECORDED_AT - hours * HOUR)
            )
        work.commit()


def _remaining(uow: UnitOfWorkFactory, count: int) -> list[str]:
    with uow() as work:
        return [f"key-{n}" for n in range(count) if work.idempotency_keys.get(f"key-{n}")]


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


def test_records_made_before_the_cutoff_are_forgotten(
    uow: UnitOfWorkFactory, record: IdempotencyRecord
) -> None:
    _claim_keys(uow, record, ages=[48, 25, 24, 1])
    with uow() as work:
        forgotten = work.idempotency_keys.forget_recorded_before(RECORDED_AT - 24 * HOUR, 10)
        work.commit()
    assert forgotten == 2
    assert _remaining(uow, 4) == ["key-2", "key-3"]


def test_at_most_limit_records_are_forgotten_at_once(
    uow: UnitOfWorkFactory, record: IdempotencyRecord
) -> None:
    _claim_keys(uow, record, ages=[30, 30, 30])
    with uow() as work:
        assert work.idempotency_keys.forget_recorded_before(RECORDED_AT, 2) == 2
        work.commit()
    assert len(_remaining(uow, 3)) == 1


def test_forgetting_is_undone_by_a_rollback(
    uow: UnitOfWorkFactory, record: IdempotencyRecord
) -> None:
    _claim_keys(uow, record, ages=[30, 30])
    with uow() as work:
        assert work.idempotency_keys.forget_recorded_before(RECORDED_AT, 10) == 2
    assert _remaining(uow, 2) == ["key-0", "key-1"]


def test_a_forgotten_key_can_be_claimed_again(
    uow: UnitOfWorkFactory, record: IdempotencyRecord
) -> None:
    _claim_keys(uow, record, ages=[30])
    with uow() as work:
        work.idempotency_keys.forget_recorded_before(RECORDED_AT, 10)
        work.idempotency_keys.add(attrs.evolve(record, key="key-0"))
        work.commit()
    with uow() as work:
        assert work.idempotency_keys.get("key-0") == attrs.evolve(record, key="key-0")
