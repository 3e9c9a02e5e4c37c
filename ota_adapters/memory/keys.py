"""The in-memory idempotency records."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from typing import TYPE_CHECKING

from ota_adapters.memory.journal import Journal
from ota_core import IdempotencyKeys, IdempotencyKeyTaken, IdempotencyRecord

if TYPE_CHECKING:
    from ota_adapters.memory import InMemoryStore


class InMemoryIdempotencyKeys(IdempotencyKeys):
    def __init__(self, store: InMemoryStore, journal: Journal) -> None:
        self._store = store
        self._journal = journal

    def get(self, key: str) -> IdempotencyRecord | None:
        return self._store.idempotency.get(key)

    def add(self, record: IdempotencyRecord) -> None:
        records = self._store.idempotency
        if record.key in records:
            raise IdempotencyKeyTaken.of(record.key)
        records[record.key] = record
        self._journal.record(functools.partial(records.pop, record.key))

    def forget_recorded_before(self, cutoff: dt.datetime, limit: int) -> int:
        records = self._store.idempotency
        expired = list(
            itertools.islice((r for r in records.values() if r.recorded_at < cutoff), limit)
        )
        for record in expired:
            del records[record.key]
            self._journal.record(functools.partial(records.__setitem__, record.key, record))
        return len(expired)
