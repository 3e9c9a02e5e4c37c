"""The idempotency records over one unit of work's connection, each principal's own."""

from __future__ import annotations

import datetime as dt

from ota_adapters.postgres.citus import on_citus
from ota_adapters.postgres.connection import UnitConnection
from ota_adapters.postgres.statements import (
    IDEMPOTENCY_RECORD_BY_KEY_LOCKED,
    IDEMPOTENCY_RECORDS_FORGET,
    IDEMPOTENCY_RECORDS_FORGET_DISTRIBUTED,
)
from ota_core import IdempotencyKeys, IdempotencyRecord, Principal, ReservationId


class PostgresIdempotencyKeys(IdempotencyKeys):
    def __init__(self, connection: UnitConnection) -> None:
        self._connection = connection

    def get(self, principal: Principal, key: str) -> IdempotencyRecord | None:
        values = {"principal": principal.id, "key": key}
        row = self._connection.run(IDEMPOTENCY_RECORD_BY_KEY_LOCKED, values).first()
        if row is None:
            return None
        return IdempotencyRecord(
            principal, row.key, row.fingerprint, ReservationId(row.reservation_id), row.created_at
        )

    def forget_recorded_before(self, cutoff: dt.datetime, limit: int) -> int:
        # Rows another transaction is forgetting (or still holds) are left to the next batch.
        values = {"cutoff": cutoff, "limit": limit}
        forget = (
            IDEMPOTENCY_RECORDS_FORGET_DISTRIBUTED
            if on_citus(self._connection)
            else IDEMPOTENCY_RECORDS_FORGET
        )
        return len(self._connection.run(forget, values).all())
