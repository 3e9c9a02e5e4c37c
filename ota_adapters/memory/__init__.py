"""Thread-safe in-memory storage, for tests, demos and library use.

Every unit of work, read-only or not, holds the store's lock from `with` to the
end of the block, so units of work run one at a time (serializable): a read,
its check and the write that follows cannot be split by another thread.
Changes apply at once and are undone on rollback.
"""

from __future__ import annotations

import datetime as dt
import threading
from types import TracebackType
from typing import Self

from ota_adapters.memory.journal import Journal
from ota_adapters.memory.keys import InMemoryIdempotencyKeys
from ota_adapters.memory.properties import InMemoryPropertyReader, InMemoryPropertyRepository
from ota_adapters.memory.repositories import (
    InMemoryReservationReader,
    InMemoryReservationRepository,
)
from ota_core import (
    DateRange,
    IdempotencyRecord,
    Principal,
    Property,
    PropertyId,
    ReadOnlyUnitOfWork,
    Reservation,
    ReservationId,
    UnitOfWork,
)


class InMemoryStore:
    """The data. Touch it only through a unit of work."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.properties: dict[PropertyId, Property] = {}
        self.sorted_property_ids: list[PropertyId] = []
        self.reservations: dict[ReservationId, Reservation] = {}
        # Bookings and holds, expired or not, by property: what may take nights.
        self.confirmed_by_property: dict[PropertyId, dict[ReservationId, Reservation]] = {}
        self.owned: dict[Principal, set[ReservationId]] = {}
        self.idempotency: dict[tuple[Principal, str], IdempotencyRecord] = {}

    def unit_of_work(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self)

    def read_only_unit_of_work(self) -> InMemoryReadOnlyUnitOfWork:
        return InMemoryReadOnlyUnitOfWork(self)

    def is_taken(
        self,
        property_id: PropertyId,
        stay: DateRange,
        now: dt.datetime,
        *,
        apart_from: ReservationId | None = None,
    ) -> bool:
        """True when a reservation of the property, but `apart_from`, blocks `stay` at `now`."""
        stays = self.confirmed_by_property.get(property_id, {})
        return any(r.blocks(stay, now) for r in stays.values() if r.id != apart_from)

    def occupied(
        self, property_id: PropertyId, window: DateRange, now: dt.datetime
    ) -> list[DateRange]:
        """The stays of the property's reservations that block nights of `window` at `now`."""
        stays = self.confirmed_by_property.get(property_id, {})
        return [r.stay for r in stays.values() if r.blocks(window, now)]


class _LockedForTheBlock:
    """Holds the store's lock for the whole `with` block; not re-entrant."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

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
            self._end()
        finally:
            self._store.lock.release()

    def _end(self) -> None:
        """Whatever the block leaves to do before the lock goes."""


class InMemoryReadOnlyUnitOfWork(_LockedForTheBlock, ReadOnlyUnitOfWork):
    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store)
        self.properties = InMemoryPropertyReader(store)
        self.reservations = InMemoryReservationReader(store)


class InMemoryUnitOfWork(_LockedForTheBlock, UnitOfWork):
    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store)
        self._journal = Journal()
        self.properties = InMemoryPropertyRepository(store, self._journal)
        self.reservations = InMemoryReservationRepository(store, self._journal)
        self.idempotency_keys = InMemoryIdempotencyKeys(store, self._journal)

    def _end(self) -> None:
        self.rollback()

    def commit(self) -> None:
        self._journal.forget()

    def rollback(self) -> None:
        self._journal.undo_all()
