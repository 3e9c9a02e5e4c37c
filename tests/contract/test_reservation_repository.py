"""ReservationRepository: storing stays, atomically refusing overlaps."""

from __future__ import annotations

import pytest

from ota_core import (
    LONGEST_STAY_NIGHTS,
    DateRange,
    DatesUnavailable,
    PolicyViolation,
    Reservation,
    ReservationId,
    ReservationNotFound,
    ReservationStatus,
    UnitOfWorkFactory,
    UnknownProperty,
)
from tests.builders import a_property, a_reservation, day, stay


@pytest.fixture
def uow_with_property(uow: UnitOfWorkFactory) -> UnitOfWorkFactory:
    with uow() as work:
        work.properties.add(a_property("P1"))
        work.properties.add(a_property("P2"))
        work.commit()
    return uow


def _add(uow: UnitOfWorkFactory, reservation: Reservation) -> None:
    with uow() as work:
        work.reservations.add(reservation)
        work.commit()


def _get(uow: UnitOfWorkFactory, reservation_id: ReservationId) -> Reservation | None:
    with uow() as work:
        return work.reservations.get(reservation_id)


def test_a_stored_reservation_reads_back_equal(uow_with_property: UnitOfWorkFactory) -> None:
    reservation = a_reservation("P1", stay(3, 4))
    _add(uow_with_property, reservation)
    assert _get(uow_with_property, reservation.id) == reservation


def test_an_unknown_id_reads_as_none(uow_with_property: UnitOfWorkFactory) -> None:
    assert _get(uow_with_property, a_reservation().id) is None


def test_an_overlapping_stay_is_refused_and_not_stored(
    uow_with_property: UnitOfWorkFactory,
) -> None:
    _add(uow_with_property, a_reservation("P1", stay(3, 4)))
    clash = a_reservation("P1", stay(6, 2))
    with pytest.raises(DatesUnavailable):
        _add(uow_with_property, clash)
    assert _get(uow_with_property, clash.id) is None


def test_the_same_nights_of_another_property_are_fine(uow_with_property: UnitOfWorkFactory) -> None:
    _add(uow_with_property, a_reservation("P1", stay(3, 4)))
    other = a_reservation("P2", stay(3, 4))
    _add(uow_with_property, other)
    assert _get(uow_with_property, other.id) == other


def test_back_to_back_stays_are_both_accepted(uow_with_property: UnitOfWorkFactory) -> None:
    first, second = a_reservation("P1", stay(0, 3)), a_reservation("P1", stay(3, 3))
    _add(uow_with_property, first)
    _add(uow_with_property, second)
    assert _get(uow_with_property, second.id) == second


def test_an_overlap_within_one_unit_of_work_is_refused(
    uow_with_property: UnitOfWorkFactory,
) -> None:
    with uow_with_property() as work:
        work.reservations.add(a_reservation("P1", stay(0, 3)))
        with pytest.raises(DatesUnavailable):
            work.reservations.add(a_reservation("P1", stay(2, 3)))


def test_a_stay_of_an_unknown_property_is_refused(uow_with_property: UnitOfWorkFactory) -> None:
    orphan = a_reservation("nowhere", stay(0, 1))
    with pytest.raises(UnknownProperty):
        _add(uow_with_property, orphan)
    assert _get(uow_with_property, orphan.id) is None


def test_a_stay_longer_than_any_stored_is_a_policy_violation(
    uow_with_property: UnitOfWorkFactory,
) -> None:
    too_long = a_reservation("P1", DateRange.from_nights(day(0), LONGEST_STAY_NIGHTS + 1))
    with pytest.raises(PolicyViolation, match=f"nights must be from 1 to {LONGEST_STAY_NIGHTS}"):
        _add(uow_with_property, too_long)
    assert _get(uow_with_property, too_long.id) is None


def test_a_refused_stay_undoes_only_itself(uow_with_property: UnitOfWorkFactory) -> None:
    before, orphan, after = (a_reservation("P1", stay(0, 1)), a_reservation("nowhere", stay(0, 1)),
                             a_reservation("P1", stay(1, 1)))  # fmt: skip
    with uow_with_property() as work:
        work.reservations.add(before)
        with pytest.raises(UnknownProperty):
            work.reservations.add(orphan)
        with pytest.raises(DatesUnavailable):
            work.reservations.add(a_reservation("P1", stay(0, 2)))
        work.reservations.add(after)
        work.commit()
    assert _get(uow_with_property, before.id) == before
    assert _get(uow_with_property, after.id) == after
    assert _get(uow_with_property, orphan.id) is None


def test_a_cancelled_reservation_frees_its_nights(uow_with_property: UnitOfWorkFactory) -> None:
    original = a_reservation("P1", stay(0, 5))
    _add(uow_with_property, original)
    with uow_with_property() as work:
        work.reservations.save(original.cancel())
        work.commit()

    stored = _get(uow_with_property, original.id)
    assert stored is not None
    assert stored.status is ReservationStatus.CANCELLED
    _add(uow_with_property, a_reservation("P1", stay(1, 2)))


def test_saving_a_reservation_that_was_never_stored_is_not_found(
    uow_with_property: UnitOfWorkFactory,
) -> None:
    with uow_with_property() as work, pytest.raises(ReservationNotFound):
        work.reservations.save(a_reservation("P1").cancel())


def test_an_uncommitted_cancellation_keeps_the_nights_taken(
    uow_with_property: UnitOfWorkFactory,
) -> None:
    original = a_reservation("P1", stay(0, 5))
    _add(uow_with_property, original)
    with uow_with_property() as work:
        work.reservations.save(original.cancel())
    with pytest.raises(DatesUnavailable):
        _add(uow_with_property, a_reservation("P1", stay(1, 2)))
