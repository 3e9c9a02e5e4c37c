"""Forgetting what no request needs any more: old idempotency keys, expired holds."""

from __future__ import annotations

import datetime as dt

from ota_core.ports import Clock, UnitOfWorkFactory

DEFAULT_BATCH_SIZE = 1000


class ForgetIdempotencyKeys:
    """Deletes the idempotency records older than `retention`, a batch per transaction.

    A request sent again after its key was forgotten books anew, so `retention`
    must outlast any client's retries. Small batches keep each transaction, and
    the locks it holds, short while bookings go on.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        retention: dt.timedelta,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        if retention <= dt.timedelta(0):
            raise ValueError(f"retention must be positive, got {retention}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self._uow = uow
        self._clock = clock
        self._retention = retention
        self._batch_size = batch_size

    def execute(self) -> int:
        """How many records were deleted."""
        cutoff = self._clock.now() - self._retention
        forgotten = 0
        while True:
            with self._uow() as uow:
                batch = uow.idempotency_keys.forget_recorded_before(cutoff, self._batch_size)
                uow.commit()
            forgotten += batch
            if batch < self._batch_size:
                return forgotten


class ForgetExpiredHolds:
    """Deletes the holds that have expired, a batch per transaction.

    An expired hold takes no nights already (every search, calendar and write
    ignores it, and writes over its nights delete it); this only clears the rest.
    """

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self._uow = uow
        self._clock = clock
        self._batch_size = batch_size

    def execute(self) -> int:
        """How many holds were deleted."""
        cutoff = self._clock.now()
        forgotten = 0
        while True:
            with self._uow() as uow:
                batch = uow.reservations.forget_holds_expired_by(cutoff, self._batch_size)
                uow.commit()
            forgotten += batch
            if batch < self._batch_size:
                return forgotten
