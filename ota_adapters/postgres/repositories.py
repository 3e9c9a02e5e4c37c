"""The repositories over one connection: rows become domain objects by hand here."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from typing import Any

import psycopg2.errors
import sqlalchemy as sa
from loguru import logger
from sqlalchemy.dialects.postgresql import insert

from ota_adapters.postgres.errors import (
    cause_is,
    is_transient_conflict,
    read_errors,
    storage_errors,
)
from ota_adapters.postgres.retry import retry_transient
from ota_adapters.postgres.schema import (
    MAX_STAY_NIGHTS,
    idempotency_key_table,
    property_table,
    reservation_table,
)
from ota_adapters.postgres.statements import (
    free_properties_params,
    free_properties_statement,
    insert_in_turn,
)
from ota_core import (
    DateRange,
    DatesUnavailable,
    IdempotencyKeys,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    OtaError,
    PolicyViolation,
    Property,
    PropertyId,
    PropertyRepository,
    Reservation,
    ReservationId,
    ReservationNotFound,
    ReservationRepository,
    ReservationStatus,
    UnknownProperty,
)

_p = property_table.c
_r = reservation_table.c
_k = idempotency_key_table.c


def _run(connection: sa.Connection, statement: sa.Executable) -> sa.CursorResult[Any]:
    with storage_errors():
        return connection.execute(statement)


class PostgresPropertyRepository(PropertyRepository):
    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    def add(self, property_: Property) -> None:
        statement = insert(property_table).values(
            property_id=property_.id, description=property_.description
        )
        _run(self._connection, statement.on_conflict_do_nothing(index_elements=[_p.property_id]))

    def get(self, property_id: PropertyId) -> Property | None:
        query = sa.select(_p.property_id, _p.description).where(_p.property_id == property_id)
        row = _run(self._connection, query).one_or_none()
        return None if row is None else Property(PropertyId(row.property_id), row.description)

    def list_free(
        self, stay: DateRange, *, after: PropertyId | None, limit: int
    ) -> Sequence[Property]:
        with_cursor = after is not None
        statement = free_properties_statement(with_cursor=with_cursor)
        params = free_properties_params(stay, after, limit)
        with read_errors():  # searches may read a replica
            rows = self._connection.execute(statement, params)
        return [Property(PropertyId(id_), description) for id_, description in rows]


def _reservation(row: sa.Row[Any]) -> Reservation:
    return Reservation(
        id=ReservationId(row.reservation_id),
        property_id=PropertyId(row.property_id),
        stay=DateRange.from_nights(row.start_date, row.number_of_nights),
        created_at=row.created_at,
        status=ReservationStatus(row.status),
    )


def _refusal(error: sa.exc.DBAPIError, reservation: Reservation) -> OtaError | None:
    """The domain's reason for a refused write of `reservation`, if it has one."""
    if cause_is(error, psycopg2.errors.ExclusionViolation) or is_transient_conflict(error):
        # A deadlock that outlived the retries is a conflict with a concurrent booking.
        return DatesUnavailable(
            f"property {reservation.property_id} is not free for {reservation.stay}"
        )
    if cause_is(error, psycopg2.errors.ForeignKeyViolation):
        return UnknownProperty(
            f"no property has id {reservation.property_id!r}", field="property_id"
        )
    if cause_is(error, psycopg2.errors.CheckViolation):
        return PolicyViolation(
            f"nights must be from 1 to {MAX_STAY_NIGHTS}, got {reservation.stay.nights}",
            field="nights",
        )
    return None


class PostgresReservationRepository(ReservationRepository):
    _COLUMNS = (_r.reservation_id, _r.property_id, _r.start_date, _r.number_of_nights,
                _r.created_at, _r.status)  # fmt: skip

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    def add(self, reservation: Reservation) -> None:
        """One INSERT: the foreign key and the exclusion constraint do the checking."""
        row = {
            "reservation_id": reservation.id,
            "property_id": reservation.property_id,
            "start_date": reservation.stay.start,
            "number_of_nights": reservation.stay.nights,
            "status": reservation.status.value,
            "created_at": reservation.created_at,
        }
        self._write(insert_in_turn(), reservation, row)

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        query = sa.select(*self._COLUMNS).where(_r.reservation_id == reservation_id)
        row = _run(self._connection, query).one_or_none()
        return None if row is None else _reservation(row)

    def save(self, reservation: Reservation) -> None:
        statement = (
            sa.update(reservation_table)
            .where(_r.reservation_id == reservation.id)
            .values(status=reservation.status.value)
        )
        if self._write(statement, reservation, {}) == 0:
            raise ReservationNotFound(f"no reservation has id {reservation.id}")

    def _write(
        self, statement: sa.Executable, reservation: Reservation, params: dict[str, object]
    ) -> int:
        connection = self._connection

        def in_savepoint() -> int:
            # A failed statement rolls back to here; the unit of work stays usable.
            with connection.begin_nested():
                return connection.execute(statement, params).rowcount

        def alone() -> int:
            # The transaction's first statement: a failure rolls all of it back, which
            # undoes no more than a SAVEPOINT would, for two round trips fewer.
            try:
                return connection.execute(statement, params).rowcount
            except BaseException:
                with contextlib.suppress(sa.exc.SQLAlchemyError):  # the first error says more
                    connection.rollback()
                raise

        attempt = in_savepoint if connection.in_transaction() else alone
        try:
            with storage_errors():
                return retry_transient(attempt, what=f"writing reservation {reservation.id}")
        except sa.exc.DBAPIError as error:
            refusal = _refusal(error, reservation)
            if refusal is None:
                raise
            if is_transient_conflict(error):
                logger.warning("reservation {} still deadlocked: refused", reservation.id)
            raise refusal from error


class PostgresIdempotencyKeys(IdempotencyKeys):
    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    def get(self, key: str) -> IdempotencyRecord | None:
        query = sa.select(_k.key, _k.fingerprint, _k.reservation_id, _k.created_at).where(
            _k.key == key
        )
        row = _run(self._connection, query).one_or_none()
        if row is None:
            return None
        return IdempotencyRecord(
            row.key, row.fingerprint, ReservationId(row.reservation_id), row.created_at
        )

    def add(self, record: IdempotencyRecord) -> None:
        statement = sa.insert(idempotency_key_table).values(
            key=record.key,
            fingerprint=record.fingerprint,
            reservation_id=record.reservation_id,
            created_at=record.recorded_at,
        )
        try:
            _run(self._connection, statement)
        except sa.exc.IntegrityError as error:
            if not cause_is(error, psycopg2.errors.UniqueViolation):
                raise
            raise IdempotencyKeyTaken(
                f"idempotency key {record.key!r} is already in use"
            ) from error

    def forget_recorded_before(self, cutoff: dt.datetime, limit: int) -> int:
        # Rows another transaction is forgetting (or still holds) are left to the next batch.
        expired = (
            sa.select(_k.key)
            .where(_k.created_at < cutoff)
            .order_by(_k.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = sa.delete(idempotency_key_table).where(_k.key.in_(expired.scalar_subquery()))
        return _run(self._connection, statement).rowcount
