"""The repositories over one unit of work's link: rows become domain objects by hand here."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg2.errors
import sqlalchemy as sa
from loguru import logger

from ota_adapters.postgres.errors import (
    cause_is,
    is_transient_conflict,
    read_errors,
    storage_errors,
)
from ota_adapters.postgres.link import Link, Rows
from ota_adapters.postgres.retry import retry_transient
from ota_adapters.postgres.statements import (
    for_driver,
    free_properties_params,
    free_properties_statement,
    idempotency_record_by_key,
    idempotency_record_insert,
    idempotency_records_forget,
    insert_in_turn,
    property_by_id,
    property_insert,
    reservation_by_id,
    reservation_status_update,
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
from ota_core.policy import check_stay_length


def _read(link: Link, statement: sa.ClauseElement, values: Mapping[str, object]) -> Rows:
    with storage_errors():
        return link.run(for_driver(statement), values)


def _written(link: Link, statement: sa.ClauseElement, values: Mapping[str, object]) -> int:
    with storage_errors():
        return link.write(for_driver(statement), values)


class PostgresPropertyRepository(PropertyRepository):
    def __init__(self, link: Link) -> None:
        self._link = link

    def add(self, property_: Property) -> None:
        values = {"property_id": property_.id, "description": property_.description}
        _written(self._link, property_insert(), values)

    def get(self, property_id: PropertyId) -> Property | None:
        rows = _read(self._link, property_by_id(), {"property_id": property_id})
        return Property(PropertyId(rows[0][0]), rows[0][1]) if rows else None

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
        try:
            check_stay_length(reservation.stay)
        except PolicyViolation as refusal:
            return refusal
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
        if self._write(insert_in_turn(), row, reservation) == 0:
            raise _overlapping(reservation)

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        rows = _read(self._link, reservation_by_id(), {"reservation_id": reservation_id})
        return _reservation(rows[0]) if rows else None

    def save(self, reservation: Reservation) -> None:
        values = {"reservation_id": reservation.id, "status": reservation.status.value}
        if self._write(reservation_status_update(), values, reservation) == 0:
            raise ReservationNotFound(f"no reservation has id {reservation.id}")

    def _write(
        self, statement: sa.ClauseElement, values: Mapping[str, object], reservation: Reservation
    ) -> int:
        """`statement`, the write of `reservation`, undone alone if it fails; the rows it wrote."""
        link, write = self._link, for_driver(statement)

        def in_savepoint() -> int:
            # A failed statement rolls back to here; the unit of work stays usable.
            with link.savepoint():
                return link.write(write, values)

        def alone() -> int:
            # The transaction's first statement: a failure rolls all of it back, which
            # undoes no more than a SAVEPOINT would.
            try:
                return link.write(write, values)
            except BaseException:
                with contextlib.suppress(sa.exc.SQLAlchemyError):  # the first error says more
                    link.rollback()
                raise

        attempt = in_savepoint if link.in_transaction() else alone
        try:
            with storage_errors():
                return retry_transient(
                    attempt, what=lambda: f"writing reservation {reservation.id}"
                )
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
        rows = _read(self._link, idempotency_record_by_key(), {"key": key})
        if not rows:
            return None
        key_, fingerprint, reservation_id, created_at = rows[0]
        return IdempotencyRecord(key_, fingerprint, ReservationId(reservation_id), created_at)

    def add(self, record: IdempotencyRecord) -> None:
        values = {
            "key": record.key,
            "fingerprint": record.fingerprint,
            "reservation_id": record.reservation_id,
            "created_at": record.recorded_at,
        }
        try:
            _written(self._link, idempotency_record_insert(), values)
        except sa.exc.IntegrityError as error:
            if not cause_is(error, psycopg2.errors.UniqueViolation):
                raise
            raise IdempotencyKeyTaken(
                f"idempotency key {record.key!r} is already in use"
            ) from error

    def forget_recorded_before(self, cutoff: dt.datetime, limit: int) -> int:
        # Rows another transaction is forgetting (or still holds) are left to the next batch.
        values = {"cutoff": cutoff, "limit": limit}
        return _written(self._link, idempotency_records_forget(), values)
