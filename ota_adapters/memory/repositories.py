"""The in-memory reservations: the store's dictionaries, changed with an undo journal."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ota_adapters.memory.journal import Journal
from ota_adapters.memory.keys import key_of
from ota_core import (
    DateRange,
    DatesUnavailable,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    Principal,
    PropertyId,
    Reservation,
    ReservationCursor,
    ReservationFilter,
    ReservationId,
    ReservationNotFound,
    ReservationReader,
    ReservationRepository,
    UnknownProperty,
)
from ota_core.policy import check_stay_length

if TYPE_CHECKING:
    from ota_adapters.memory import InMemoryStore


class InMemoryReservationReader(ReservationReader):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        return self._store.reservations.get(reservation_id)

    def get_owned(
        self,
        reservation_id: ReservationId,
        owner: Principal,
        *,
        property_id: PropertyId | None = None,
    ) -> Reservation | None:
        found = self._store.reservations.get(reservation_id)
        if found is None or property_id not in (None, found.property_id):
            return None
        return found if found.is_owned_by(owner) else None

    def list_owned(
        self,
        owner: Principal,
        where: ReservationFilter,
        *,
        after: ReservationCursor | None,
        limit: int,
    ) -> Sequence[Reservation]:
        owned = (self._store.reservations[i] for i in self._store.owned.get(owner, ()))
        found = sorted(
            (r for r in owned if where.matches(r) and (after is None or after.precedes(r))),
            key=ReservationCursor.of,
        )
        return found[:limit]


class InMemoryReservationRepository(InMemoryReservationReader, ReservationRepository):
    def __init__(self, store: InMemoryStore, journal: Journal) -> None:
        super().__init__(store)
        self._journal = journal

    def add(
        self, reservation: Reservation, *, idempotency: IdempotencyRecord | None = None
    ) -> None:
        store = self._store
        check_stay_length(reservation.stay)
        if idempotency is not None and key_of(idempotency) in store.idempotency:
            raise IdempotencyKeyTaken.of(idempotency.key)
        if reservation.property_id not in store.properties:
            raise UnknownProperty.of(reservation.property_id)
        self._forget_expired_holds(
            reservation.property_id, reservation.stay, reservation.created_at
        )
        if store.is_taken(reservation.property_id, reservation.stay, reservation.created_at):
            raise DatesUnavailable.of(reservation.property_id, reservation.stay)
        self._put(reservation)
        self._journal.record(lambda: self._delete(reservation))
        if idempotency is not None:
            store.idempotency[key_of(idempotency)] = idempotency
            self._journal.record(functools.partial(store.idempotency.pop, key_of(idempotency)))

    def save(self, reservation: Reservation) -> None:
        previous = self._store.reservations.get(reservation.id)
        if previous is None:
            raise ReservationNotFound.of(reservation.id)
        self._replace(previous, reservation)
        self._journal.record(lambda: self._replace(reservation, previous))

    def move(self, reservation: Reservation, *, now: dt.datetime) -> None:
        check_stay_length(reservation.stay)
        if reservation.id not in self._store.reservations:
            raise ReservationNotFound.of(reservation.id)
        self._forget_expired_holds(reservation.property_id, reservation.stay, now)
        taken = self._store.is_taken(
            reservation.property_id, reservation.stay, now, apart_from=reservation.id
        )
        if taken:
            raise DatesUnavailable.of(reservation.property_id, reservation.stay)
        self.save(reservation)

    def forget_holds_expired_by(self, cutoff: dt.datetime, limit: int) -> int:
        expired = itertools.islice(
            (r for r in self._store.reservations.values() if r.is_hold and r.has_expired(cutoff)),
            limit,
        )
        return self._forget(list(expired))

    def _forget_expired_holds(
        self, property_id: PropertyId, stay: DateRange, now: dt.datetime
    ) -> None:
        stays = self._store.confirmed_by_property.get(property_id, {}).values()
        in_the_way = [
            r for r in stays if r.is_hold and r.has_expired(now) and r.stay.overlaps(stay)
        ]
        self._forget(in_the_way)

    def _forget(self, reservations: list[Reservation]) -> int:
        for reservation in reservations:
            self._delete(reservation)
            self._journal.record(functools.partial(self._put, reservation))
        return len(reservations)

    def _replace(self, current: Reservation, previous: Reservation) -> None:
        self._delete(current)
        self._put(previous)

    def _put(self, reservation: Reservation) -> None:
        self._store.reservations[reservation.id] = reservation
        if reservation.owner is not None:
            self._store.owned.setdefault(reservation.owner, set()).add(reservation.id)
        if reservation.is_confirmed:
            stays = self._store.confirmed_by_property.setdefault(reservation.property_id, {})
            stays[reservation.id] = reservation

    def _delete(self, reservation: Reservation) -> None:
        del self._store.reservations[reservation.id]
        if reservation.owner is not None:
            self._store.owned[reservation.owner].discard(reservation.id)
        self._store.confirmed_by_property.get(reservation.property_id, {}).pop(reservation.id, None)
