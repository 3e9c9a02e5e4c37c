"""The in-memory repositories: the store's dictionaries, changed with an undo journal."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ota_core import (
    DateRange,
    DatesUnavailable,
    IdempotencyKeys,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    Principal,
    Property,
    PropertyId,
    PropertyReader,
    PropertyRepository,
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

Undo = Callable[[], object]


def _key_of(record: IdempotencyRecord) -> tuple[Principal, str]:
    """Keys are per principal: the store holds records by (principal, key)."""
    return record.principal, record.key


class Journal:
    """Undo actions of the current unit of work, newest last."""

    def __init__(self) -> None:
        self._undo: list[Undo] = []

    def record(self, undo: Undo) -> None:
        self._undo.append(undo)

    def undo_all(self) -> None:
        while self._undo:
            self._undo.pop()()

    def forget(self) -> None:
        self._undo.clear()


class InMemoryPropertyReader(PropertyReader):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get(self, property_id: PropertyId) -> Property | None:
        return self._store.properties.get(property_id)

    def list_free(
        self, stay: DateRange, *, after: PropertyId | None, limit: int
    ) -> Sequence[Property]:
        ids = self._store.sorted_property_ids
        first = 0 if after is None else bisect.bisect_right(ids, after)
        free: list[Property] = []
        for property_id in ids[first:]:
            if len(free) == limit:
                break
            if not self._store.is_taken(property_id, stay):
                free.append(self._store.properties[property_id])
        return free


class InMemoryPropertyRepository(InMemoryPropertyReader, PropertyRepository):
    def __init__(self, store: InMemoryStore, journal: Journal) -> None:
        super().__init__(store)
        self._journal = journal

    def add(self, property_: Property) -> None:
        if property_.id in self._store.properties:
            return
        self._store.properties[property_.id] = property_
        bisect.insort(self._store.sorted_property_ids, property_.id)
        self._journal.record(lambda: self._remove(property_.id))

    def _remove(self, property_id: PropertyId) -> None:
        del self._store.properties[property_id]
        self._store.sorted_property_ids.remove(property_id)


class InMemoryReservationReader(ReservationReader):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        return self._store.reservations.get(reservation_id)

    def get_owned(self, reservation_id: ReservationId, owner: Principal) -> Reservation | None:
        reservation = self._store.reservations.get(reservation_id)
        return reservation if reservation is not None and reservation.is_owned_by(owner) else None

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
        if idempotency is not None and _key_of(idempotency) in store.idempotency:
            raise IdempotencyKeyTaken.of(idempotency.key)
        if reservation.property_id not in store.properties:
            raise UnknownProperty.of(reservation.property_id)
        if store.is_taken(reservation.property_id, reservation.stay):
            raise DatesUnavailable.of(reservation.property_id, reservation.stay)
        self._put(reservation)
        self._journal.record(lambda: self._delete(reservation))
        if idempotency is not None:
            store.idempotency[_key_of(idempotency)] = idempotency
            self._journal.record(functools.partial(store.idempotency.pop, _key_of(idempotency)))

    def save(self, reservation: Reservation) -> None:
        previous = self._store.reservations.get(reservation.id)
        if previous is None:
            raise ReservationNotFound.of(reservation.id)
        self._replace(previous, reservation)
        self._journal.record(lambda: self._replace(reservation, previous))

    def _replace(self, current: Reservation, previous: Reservation) -> None:
        self._delete(current)
        self._put(previous)

    def _put(self, reservation: Reservation) -> None:
        self._store.reservations[reservation.id] = reservation
        if reservation.owner is not None:
            self._store.owned.setdefault(reservation.owner, set()).add(reservation.id)
        if reservation.is_confirmed:
            stays = self._store.confirmed_by_property.setdefault(reservation.property_id, {})
            stays[reservation.id] = reservation.stay

    def _delete(self, reservation: Reservation) -> None:
        del self._store.reservations[reservation.id]
        if reservation.owner is not None:
            self._store.owned[reservation.owner].discard(reservation.id)
        self._store.confirmed_by_property.get(reservation.property_id, {}).pop(reservation.id, None)


class InMemoryIdempotencyKeys(IdempotencyKeys):
    def __init__(self, store: InMemoryStore, journal: Journal) -> None:
        self._store = store
        self._journal = journal

    def get(self, principal: Principal, key: str) -> IdempotencyRecord | None:
        return self._store.idempotency.get((principal, key))

    def forget_recorded_before(self, cutoff: dt.datetime, limit: int) -> int:
        records = self._store.idempotency
        expired = list(
            itertools.islice((r for r in records.values() if r.recorded_at < cutoff), limit)
        )
        for record in expired:
            del records[_key_of(record)]
            self._journal.record(functools.partial(records.__setitem__, _key_of(record), record))
        return len(expired)
