"""Thread-safe in-memory storage, for tests, demos and library use.

Every unit of work holds the store's lock from `with` to the end of the block,
so units of work run one at a time (serializable): checking a stay for
overlaps and inserting it cannot be split by another thread. Changes apply at
once and are undone on rollback.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from ota_core import (
    DateRange,
    DatesUnavailable,
    IdempotencyKeys,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    Property,
    PropertyId,
    PropertyRepository,
    Reservation,
    ReservationId,
    ReservationRepository,
    UnitOfWork,
    UnknownProperty,
)

Undo = Callable[[], None]


class InMemoryStore:
    """The data. Touch it only through an `InMemoryUnitOfWork`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.properties: dict[PropertyId, Property] = {}
        self.sorted_property_ids: list[PropertyId] = []
        self.reservations: dict[ReservationId, Reservation] = {}
        self.confirmed_by_property: dict[PropertyId, dict[ReservationId, DateRange]] = {}
        self.idempotency: dict[str, IdempotencyRecord] = {}

    def unit_of_work(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self)


class _Journal:
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


class InMemoryPropertyRepository(PropertyRepository):
    def __init__(self, store: InMemoryStore, journal: _Journal) -> None:
        self._store = store
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
            if not self._is_taken(property_id, stay):
                free.append(self._store.properties[property_id])
        return free

    def _is_taken(self, property_id: PropertyId, stay: DateRange) -> bool:
        stays = self._store.confirmed_by_property.get(property_id, {})
        return any(taken.overlaps(stay) for taken in stays.values())


class InMemoryReservationRepository(ReservationRepository):
    def __init__(self, store: InMemoryStore, journal: _Journal) -> None:
        self._store = store
        self._journal = journal

    def add(self, reservation: Reservation) -> None:
        if reservation.property_id not in self._store.properties:
            raise UnknownProperty(
                f"no property has id {reservation.property_id!r}", field="property_id"
            )
        stays = self._store.confirmed_by_property.setdefault(reservation.property_id, {})
        if any(taken.overlaps(reservation.stay) for taken in stays.values()):
            raise DatesUnavailable(
                f"property {reservation.property_id} is not free for {reservation.stay}"
            )
        self._put(reservation)
        self._journal.record(lambda: self._delete(reservation))

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        return self._store.reservations.get(reservation_id)

    def save(self, reservation: Reservation) -> None:
        previous = self._store.reservations[reservation.id]
        self._replace(previous, reservation)
        self._journal.record(lambda: self._replace(reservation, previous))

    def _replace(self, current: Reservation, previous: Reservation) -> None:
        self._delete(current)
        self._put(previous)

    def _put(self, reservation: Reservation) -> None:
        self._store.reservations[reservation.id] = reservation
        if reservation.is_confirmed:
            stays = self._store.confirmed_by_property.setdefault(reservation.property_id, {})
            stays[reservation.id] = reservation.stay

    def _delete(self, reservation: Reservation) -> None:
        del self._store.reservations[reservation.id]
        self._store.confirmed_by_property.get(reservation.property_id, {}).pop(reservation.id, None)


class InMemoryIdempotencyKeys(IdempotencyKeys):
    def __init__(self, store: InMemoryStore, journal: _Journal) -> None:
        self._store = store
        self._journal = journal

    def get(self, key: str) -> IdempotencyRecord | None:
        return self._store.idempotency.get(key)

    def add(self, record: IdempotencyRecord) -> None:
        if record.key in self._store.idempotency:
            raise IdempotencyKeyTaken(f"idempotency key {record.key!r} is already in use")
        self._store.idempotency[record.key] = record
        self._journal.record(lambda: self._forget(record.key))

    def forget_recorded_before(self, cutoff: dt.datetime, limit: int) -> int:
        records = self._store.idempotency.values()
        expired = list(itertools.islice((r for r in records if r.recorded_at < cutoff), limit))
        for record in expired:
            self._forget(record.key)
            self._journal.record(functools.partial(self._restore, record))
        return len(expired)

    def _forget(self, key: str) -> None:
        del self._store.idempotency[key]

    def _restore(self, record: IdempotencyRecord) -> None:
        self._store.idempotency[record.key] = record


class InMemoryUnitOfWork(UnitOfWork):
    """Holds the store's lock for the whole `with` block; not re-entrant."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self._journal = _Journal()
        self.properties = InMemoryPropertyRepository(store, self._journal)
        self.reservations = InMemoryReservationRepository(store, self._journal)
        self.idempotency_keys = InMemoryIdempotencyKeys(store, self._journal)

    def __enter__(self) -> Self:
        self._store.lock.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._store.lock.release()

    def commit(self) -> None:
        self._journal.forget()

    def rollback(self) -> None:
        self._journal.undo_all()
