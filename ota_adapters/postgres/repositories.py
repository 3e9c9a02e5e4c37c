"""The repositories over one unit of work's link: rows become domain objects by hand here."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
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
from ota_adapters.postgres.link import Link
from ota_adapters.postgres.retry import retry_transient
from ota_adapters.postgres.schema import (
    MAX_STAY_NIGHTS,
    idempotency_key_table,
    property_table,
    reservation_table,
)
from ota_adapters.postgres.statements import (
    for_driver,
    free_properties_params,
    free_properties_statement,
    insert_in_turn,
    reservation_by_id,
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


def _run(link: Link, statement: sa.Executable) -> sa.CursorResult[Any]:
    with storage_errors():
        return link.execute(statement)


class PostgresPropertyRepository(PropertyRepository):
    def __init__(self, link: Link) -> None:
        self._link = link

    def add(self, property_: Property) -> None:
        statement = insert(property_table).values(
            property_id=property_.id, description=property_.description
        )
        _run(self._link, statement.on_conflict_do_nothing(index_elements=[_p.property_id]))

    def get(self, property_id: PropertyId) -> Property | None:
        query = sa.select(_p.property_id, _p.description).where(_p.property_id == property_id)
        row = _run(self._link, query).one_or_none()
        return None if row is None else Property(PropertyId(row.property_id), row.description)

    def list_free(
        self, stay: DateRange, *, after: PropertyId | None, limit: int
    ) -> Sequence[Property]:
        statement = for_driver(free_properties_statement(with_cursor=after is not None))
        params = free_properties_params(stay, after, limit)
        with read_errors():  # searches may read a replica
            rows = self._link.run(statement, params)
        # The row's id goes in as it is: `PropertyId` is only a type, and calling it
        # for each of a page's properties costs a function call apiece.
        return [Property(id_, description) for id_, description in rows]


def _reservation(row: tuple[Any, ...]) -> Reservation:
    """A reservation from the values of `RESERVATION_COLUMNS`, as psycopg2 returns them."""
    reservation_id, property_id, start_date, nights, created_at, status = row
    return Reservation(
        id=ReservationId(reservation_id),
        property_id=PropertyId(property_id),
        stay=DateRange.from_nights(start_date, nights),
        created_at=created_at,
        status=ReservationStatus(status),
    )


def _overlapping(reservation: Reservation) -> DatesUnavailable:
    return DatesUnavailable(
        f"property {reservation.property_id} is not free for {reservation.stay}"
    )


def _refusal(error: sa.exc.DBAPIError, reservation: Reservation) -> OtaError | None:
    """The domain's reason for a refused write of `reservation`, if it has one."""
    if cause_is(error, psycopg2.errors.ExclusionViolation) or is_transient_conflict(error):
        # A deadlock that outlived the retries is a conflict with a concurrent booking;
        # an exclusion violation comes from a write that is not the booking's INSERT.
        return _overlapping(reservation)
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
    def __init__(self, link: Link) -> None:
        self._link = link

    def add(self, reservation: Reservation) -> None:
        """One INSERT: the foreign key and the exclusion constraint do the checking.

        A stay that overlaps a confirmed one is not inserted (no row written).
        """
        row = {
            "reservation_id": reservation.id,
            "property_id": reservation.property_id,
            "start_date": reservation.stay.start,
            "number_of_nights": reservation.stay.nights,
            "status": reservation.status.value,
            "created_at": reservation.created_at,
        }
        booking = for_driver(insert_in_turn())
        if self._write(lambda: self._link.rowcount(booking, row), reservation) == 0:
            raise _overlapping(reservation)

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        statement = for_driver(reservation_by_id())
        with storage_errors():
            rows = self._link.run(statement, {"reservation_id": reservation_id})
        return _reservation(rows[0]) if rows else None

    def save(self, reservation: Reservation) -> None:
        statement = (
            sa.update(reservation_table)
            .where(_r.reservation_id == reservation.id)
            .values(status=reservation.status.value)
        )
        if self._write(lambda: self._link.execute(statement).rowcount, reservation) == 0:
            raise ReservationNotFound(f"no reservation has id {reservation.id}")

    def _write(self, written: Callable[[], int], reservation: Reservation) -> int:
        """`written()`, the write of `reservation`, undone alone if it fails; the rows it wrote."""
        link = self._link

        def in_savepoint() -> int:
            # A failed statement rolls back to here; the unit of work stays usable.
            with link.connection.begin_nested():
                return written()

        def alone() -> int:
            # The transaction's first statement: a failure rolls all of it back, which
            # undoes no more than a SAVEPOINT would, for two round trips fewer.
            try:
                return written()
            except BaseException:
                with contextlib.suppress(sa.exc.SQLAlchemyError):  # the first error says more
                    link.connection.rollback()
                raise

        attempt = in_savepoint if link.connection.in_transaction() else alone
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
    def __init__(self, link: Link) -> None:
        self._link = link

    def get(self, key: str) -> IdempotencyRecord | None:
        query = sa.select(_k.key, _k.fingerprint, _k.reservation_id, _k.created_at).where(
            _k.key == key
        )
        row = _run(self._link, query).one_or_none()
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
            _run(self._link, statement)
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
        return _run(self._link, statement).rowcount
