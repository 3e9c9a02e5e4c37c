"""The in-memory idempotency records."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from typing import TYPE_CHECKING

from ota_adapters.memory.journal import Journal
from ota_core import IdempotencyKeys, IdempotencyKeyTaken, IdempotencyRecord, Principal

if TYPE_CHECKING:
    from ota_adapters.memory import InMemoryStore


def key_of(record: IdempotencyRecord) -> tuple[Principal, str]:
    """Keys are per principal: the store holds records by (principal, key)."""
    return record.principal, record.key


class InMemoryIdempotencyKeys(IdempotencyKeys):
    def __init__(self, store: InMemoryStore, journal: Journal) -> None:
        self._store = store
        self._journal = journal

    def get(self, principal: Principal, key: str) -> IdempotencyRecord | None:
        return self._store.idempotency.get((principal, key))

    def add(self, record: IdempotencyRecord) -> None:
        records = self._store.idempotency
        if key_of(record) in records:
            raise IdempotencyKeyTaken.of(record.key)
        records[key_of(record)] = record
        self._journal.record(functools.partial(records.pop, key_of(record)))

    def forget_recorded_before(self, cutoff: dt.datetime, limit: int) -> int:
        records = self._store.idempotency
        expired = list(
            itertools.islice((r for r in records.values() if r.recorded_at < cutoff), limit)
        )
        for record in expired:
            del records[key_of(record)]
            self._journal.record(functools.partial(records.__setitem__, key_of(record), record))
        return len(expired)
