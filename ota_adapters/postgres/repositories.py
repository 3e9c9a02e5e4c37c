"""The repositories over one unit of work's connection: rows become domain objects here.

In a read-write unit of work a row read by id is locked until the transaction
ends (`locking=True`): the port's promise that a read-check-write is atomic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import psycopg2.errors
import sqlalchemy as sa

from ota_adapters.postgres.booking import RELEASE_CLAIM, booking
from ota_adapters.postgres.connection import UnitConnection
from ota_adapters.postgres.errors import read_errors
from ota_adapters.postgres.statements import (
    DEFAULT_SEARCH_BOUNDS,
    IDEMPOTENCY_RECORD_BY_KEY_LOCKED,
    IDEMPOTENCY_RECORDS_FORGET,
    PROPERTY_BY_ID,
    PROPERTY_BY_ID_LOCKED,
    PROPERTY_INSERT,
    RESERVATION_BY_ID,
    RESERVATION_BY_ID_LOCKED,
    RESERVATION_STATUS_UPDATE,
    SearchBounds,
    free_properties,
)
from ota_core import (
    DateRange,
    DatesUnavailable,
    IdempotencyKeys,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    Property,
    PropertyId,
    PropertyReader,
    PropertyRepository,
    Reservation,
    ReservationId,
    ReservationNotFound,
    ReservationReader,
    ReservationRepository,
    ReservationStatus,
    UnknownProperty,
)
from ota_core.policy import check_stay_length


class PostgresPropertyReader(PropertyReader):
    def __init__(
        self,
        connection: UnitConnection,
        *,
        locking: bool = False,
        search_bounds: SearchBounds = DEFAULT_SEARCH_BOUNDS,
    ) -> None:
        self._connection = connection
        self._by_id = PROPERTY_BY_ID_LOCKED if locking else PROPERTY_BY_ID
        self._search_bounds = search_bounds

    def get(self, property_id: PropertyId) -> Property | None:
        row = self._connection.run(self._by_id, {"property_id": property_id}).first()
        return None if row is None else Property(row.property_id, row.description)

    def list_free(
        self, stay: DateRange, *, after: PropertyId | None, limit: int
    ) -> Sequence[Property]:
        statement, values = free_properties(stay, after, limit, self._search_bounds)
        with read_errors():  # searches may read a replica
            rows = self._connection.run(statement, values)
            return [Property(row.property_id, row.description) for row in rows]


class PostgresPropertyRepository(PostgresPropertyReader, PropertyRepository):
    def __init__(
        self, connection: UnitConnection, *, search_bounds: SearchBounds = DEFAULT_SEARCH_BOUNDS
    ) -> None:
        super().__init__(connection, locking=True, search_bounds=search_bounds)

    def add(self, property_: Property) -> None:
        values = {"property_id": property_.id, "description": property_.description}
        self._connection.run(PROPERTY_INSERT, values)


class PostgresReservationReader(ReservationReader):
    def __init__(self, connection: UnitConnection, *, locking: bool = False) -> None:
        self._connection = connection
        self._by_id = RESERVATION_BY_ID_LOCKED if locking else RESERVATION_BY_ID

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        row = self._connection.run(self._by_id, {"reservation_id": reservation_id}).first()
        if row is None:
            return None
        return Reservation(
            id=ReservationId(row.reservation_id),
            property_id=PropertyId(row.property_id),
            stay=DateRange.from_nights(row.start_date, row.number_of_nights),
            created_at=row.created_at,
            status=ReservationStatus(row.status),
        )


class PostgresReservationRepository(PostgresReservationReader, ReservationRepository):
    def __init__(self, connection: UnitConnection) -> None:
        super().__init__(connection, locking=True)

    def add(
        self, reservation: Reservation, *, idempotency: IdempotencyRecord | None = None
    ) -> None:
        """One statement (`booking`); only a refusal with a key takes a second."""
        check_stay_length(reservation.stay)  # what the table's CHECK would refuse
        statement, values = booking(reservation, idempotency)
        try:
            outcome = self._connection.run(statement, values).one()
        except sa.exc.OperationalError as error:
            # Two units of work that each booked one property and then the other's:
            # PostgreSQL ends the cycle by failing one of them, whose stay is then refused.
            if isinstance(error.orig, psycopg2.errors.DeadlockDetected):
                raise DatesUnavailable.of(reservation.property_id, reservation.stay) from error
            raise
        if outcome.booked:
            return
        if idempotency is not None and outcome.key_taken:
            raise IdempotencyKeyTaken.of(idempotency.key)
        if not outcome.property_found:
            raise UnknownProperty.of(reservation.property_id)
        if idempotency is not None:  # the key went in with the refused stay
            self._connection.run(RELEASE_CLAIM, {"key": idempotency.key})
        raise DatesUnavailable.of(reservation.property_id, reservation.stay)

    def save(self, reservation: Reservation) -> None:
        values = {"id": reservation.id, "new_status": reservation.status.value}
        if self._connection.run(RESERVATION_STATUS_UPDATE, values).first() is None:
            raise ReservationNotFound.of(reservation.id)


class PostgresIdempotencyKeys(IdempotencyKeys):
    def __init__(self, connection: UnitConnection) -> None:
        self._connection = connection

    def get(self, key: str) -> IdempotencyRecord | None:
        row = self._connection.run(IDEMPOTENCY_RECORD_BY_KEY_LOCKED, {"key": key}).first()
        if row is None:
            return None
        return IdempotencyRecord(
            row.key, row.fingerprint, ReservationId(row.reservation_id), row.created_at
        )

    def forget_recorded_before(self, cutoff: dt.datetime, limit: int) -> int:
        # Rows another transaction is forgetting (or still holds) are left to the next batch.
        values = {"cutoff": cutoff, "limit": limit}
        return len(self._connection.run(IDEMPOTENCY_RECORDS_FORGET, values).all())
