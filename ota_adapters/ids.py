"""Reservation id generators."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import secrets
import threading
import time
import uuid

from ota_core import PropertyId, ReservationId

_TAIL_BITS = 74  # the 12 + 62 random bits of a UUIDv7 (RFC 9562, section 5.7)
_RAND_B_BITS = 62
_STEP_BITS = 32  # the random part of the step between two ids of one millisecond
_STEP_MASK = (1 << _STEP_BITS) - 1
_DRAWN_BITS = _TAIL_BITS + _STEP_BITS  # random bits each id takes

# Names the ids given to reservations that were stored before ids existed.
LEGACY_RESERVATION_NAMESPACE = uuid.UUID("5b0d7e2c-3f0e-4d7a-9a43-0c1d2b6f7e11")


class UuidV7Generator:
    """Time-ordered UUIDv7 ids: a millisecond Unix timestamp, then random bits.

    Ids sort by creation time, so new rows land at the right edge of the
    primary-key index instead of at random pages, which keeps inserts cheap at
    hundreds of millions of rows. Within one millisecond the random tail grows
    by a random step, so ids from one process stay strictly increasing and
    remain unguessable. The random bits come from the operating system, drawn
    for each id (`secrets`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._last_tail = 0

    def new_reservation_id(self) -> ReservationId:
        drawn = secrets.randbits(_DRAWN_BITS)
        with self._lock:
            unix_ms, tail = self._next_timestamp_and_tail(drawn >> _STEP_BITS, drawn & _STEP_MASK)
            self._last_ms, self._last_tail = unix_ms, tail
        value = (
            unix_ms << 80
            | 0x7 << 76
            | (tail >> _RAND_B_BITS) << 64
            | 0b10 << 62
            | tail & ((1 << _RAND_B_BITS) - 1)
        )
        return ReservationId(uuid.UUID(int=value))

    def _next_timestamp_and_tail(self, fresh_tail: int, step: int) -> tuple[int, int]:
        unix_ms = time.time_ns() // 1_000_000
        if unix_ms > self._last_ms:
            return unix_ms, fresh_tail
        tail = self._last_tail + 1 + step
        if tail >> _TAIL_BITS:  # the tail ran out within this millisecond
            return self._last_ms + 1, fresh_tail
        return self._last_ms, tail


class SequentialIds:
    """Predictable ids 1, 2, 3, ... for tests and demos."""

    def __init__(self, start: int = 1) -> None:
        self._counter = itertools.count(start)
        self._lock = threading.Lock()

    def new_reservation_id(self) -> ReservationId:
        with self._lock:
            return ReservationId(uuid.UUID(int=next(self._counter)))


def legacy_reservation_id(
    property_id: PropertyId, start_date: dt.date, nights: int
) -> ReservationId:
    """The id of a reservation stored before reservations had ids.

    A name-based UUIDv8 (RFC 9562, appendix B.2): the first 128 bits of
    SHA-256 over the namespace and "<property_id>/<start ISO>/<nights>", with
    the version and variant bits set. Derived from what identifies such a row
    (two confirmed stays of one property never share a start date), so the
    same row gets the same id in every environment and however often the
    migration runs. SHA-256 rather than UUIDv5's SHA-1 because PostgreSQL has
    `sha256()` built in: the migration computes the same id in plain SQL.
    """
    name = f"{property_id}/{start_date.isoformat()}/{nights}"
    digest = hashlib.sha256(LEGACY_RESERVATION_NAMESPACE.bytes + name.encode()).digest()
    value = int.from_bytes(digest[:16], "big")
    value = value & ~(0xF << 76) | 0x8 << 76  # version 8
    value = value & ~(0b11 << 62) | 0b10 << 62  # the RFC 9562 variant
    return ReservationId(uuid.UUID(int=value))
