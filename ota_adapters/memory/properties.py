"""The in-memory properties: the store's dictionary and sorted ids, changed with an undo journal."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ota_adapters.memory.journal import Journal
from ota_core import Calendar, DateRange, Property, PropertyId, PropertyReader, PropertyRepository

if TYPE_CHECKING:
    from ota_adapters.memory import InMemoryStore


class InMemoryPropertyReader(PropertyReader):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get(self, property_id: PropertyId) -> Property | None:
        return self._store.properties.get(property_id)

    def list_free(
        self, stay: DateRange, *, after: PropertyId | None, limit: int, now: dt.datetime
    ) -> Sequence[Property]:
        ids = self._store.sorted_property_ids
        first = 0 if after is None else bisect.bisect_right(ids, after)
        free: list[Property] = []
        for property_id in ids[first:]:
            if len(free) == limit:
                break
            if not self._store.is_taken(property_id, stay, now):
                free.append(self._store.properties[property_id])
        return free

    def calendar(
        self, property_id: PropertyId, window: DateRange, *, now: dt.datetime
    ) -> Calendar | None:
        if property_id not in self._store.properties:
            return None
        return Calendar.of(window, self._store.occupied(property_id, window, now))


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
