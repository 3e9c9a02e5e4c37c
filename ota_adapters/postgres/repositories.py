"""The repositories over one unit of work's connection: rows become domain objects here.

In a read-write unit of work a row read by id is locked until the transaction
ends (`locking=True`): the port's promise that a read-check-write is atomic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg2.errors
import sqlalchemy as sa

from ota_adapters.postgres.booking import RELEASE_CLAIM, BookingOutcome, booking
from ota_adapters.postgres.booking_routed import book_routed
from ota_adapters.postgres.citus import on_citus
from ota_adapters.postgres.connection import UnitConnection
from ota_adapters.postgres.errors import read_errors
from ota_adapters.postgres.owned import owned_reservations
from ota_adapters.postgres.statements import (
    OWNED_RESERVATION,
    OWNED_RESERVATION_LOCKED,
    OWNED_RESERVATION_ROUTED_LOCKED,
    PROPERTY_BY_ID,
    PROPERTY_BY_ID_LOCKED,
    PROPERTY_INSERT,
    PROPERTY_OF_RESERVATION,
    RESERVATION_BY_ID,
    RESERVATION_BY_ID_LOCKED,
    RESERVATION_BY_ID_ROUTED_LOCKED,
    RESERVATION_STATUS_UPDATE,
    free_properties,
)
from ota_core import (
    DateRange,
    DatesUnavailable,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    Principal,
    Property,
    PropertyId,
    PropertyReader,
    PropertyRepository,
    Reservation,
    ReservationCursor,
    ReservationFilter,
    ReservationId,
    ReservationNotFound,
    ReservationReader,
    ReservationRepository,
    ReservationStatus,
    UnknownProperty,
)
from ota_core.policy import check_stay_length


class PostgresPropertyReader(PropertyReader):
    def __init__(self, connection: UnitConnection, *, locking: bool = False) -> None:
        self._connection = connection
        self._by_id = PROPERTY_BY_ID_LOCKED if locking else PROPERTY_BY_ID

    def get(self, property_id: PropertyId) -> Property | None:
        row = self._connection.run(self._by_id, {"property_id": property_id}).first()
        return None if row is None else Property(row.property_id, row.description)

    def list_free(
        self, stay: DateRange, *, after: PropertyId | None, limit: int
    ) -> Sequence[Property]:
        statement, values = free_properties(stay, after, limit)
        with read_errors():  # searches may read a replica
            rows = self._connection.run(statement, values)
            return [Property(row.property_id, row.description) for row in rows]


class PostgresPropertyRepository(PostgresPropertyReader, PropertyRepository):
    def __init__(self, connection: UnitConnection) -> None:
        super().__init__(connection, locking=True)

    def add(self, property_: Property) -> None:
        values = {"property_id": property_.id, "description": property_.description}
        self._connection.run(PROPERTY_INSERT, values)


class PostgresReservationReader(ReservationReader):
    def __init__(self, connection: UnitConnection, *, locking: bool = False) -> None:
        self._connection = connection
        self._locking = locking

    def _read(self, values: dict[str, object], *, owned: bool) -> sa.Row[Any] | None:
        """The row by id (and owner, if `owned`): one statement, but two on Citus when locking.

        Citus routes a row lock only with the distribution column: its property is
        read first.
        """
        if not self._locking:
            return self._connection.run(OWNED_RESERVATION if owned else RESERVATION_BY_ID,
                                        values).first()  # fmt: skip
        if not on_citus(self._connection):
            locked = OWNED_RESERVATION_LOCKED if owned else RESERVATION_BY_ID_LOCKED
            return self._connection.run(locked, values).first()
        property_id = self._connection.run(PROPERTY_OF_RESERVATION, values).scalar()
        if property_id is None:
            return None
        routed = OWNED_RESERVATION_ROUTED_LOCKED if owned else RESERVATION_BY_ID_ROUTED_LOCKED
        return self._connection.run(routed, values | {"property_id": property_id}).first()

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        row = self._read({"reservation_id": reservation_id}, owned=False)
        return None if row is None else _reservation(row)

    def get_owned(self, reservation_id: ReservationId, owner: Principal) -> Reservation | None:
        row = self._read({"reservation_id": reservation_id, "owner": owner.id}, owned=True)
        return None if row is None else _reservation(row)

    def list_owned(
        self,
        owner: Principal,
        where: ReservationFilter,
        *,
        after: ReservationCursor | None,
        limit: int,
    ) -> Sequence[Reservation]:
        statement, values = owned_reservations(owner, where, after, limit)
        return [_reservation(row) for row in self._connection.run(statement, values)]


def _reservation(row: sa.Row[Any]) -> Reservation:
    return Reservation(
        id=ReservationId(row.reservation_id),
        property_id=PropertyId(row.property_id),
        stay=DateRange.from_nights(row.start_date, row.number_of_nights),
        created_at=row.created_at,
        status=ReservationStatus(row.status),
        owner=None if row.owner is None else Principal(row.owner),
    )


class PostgresReservationRepository(PostgresReservationReader, ReservationRepository):
    def __init__(self, connection: UnitConnection) -> None:
        super().__init__(connection, locking=True)

    def add(
        self, reservation: Reservation, *, idempotency: IdempotencyRecord | None = None
    ) -> None:
        """One statement (`booking`); only a refusal with a key takes a second.

        On Citus, statements routed to one shard each (`booking_routed`).
        """
        check_stay_length(reservation.stay)  # what the table's CHECK would refuse
        statement, values = booking(reservation, idempotency)
        try:
            if on_citus(self._connection):
                outcome = book_routed(self._connection, values)
            else:
                row = self._connection.run(statement, values).one()
                outcome = BookingOutcome.of(row, with_key=idempotency is not None)
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
        if idempotency is not None and outcome.claim_held:  # claimed for the refused stay
            values = {"principal": idempotency.principal.id, "key": idempotency.key}
            self._connection.run(RELEASE_CLAIM, values)
        if not outcome.property_found:
            raise UnknownProperty.of(reservation.property_id)
        raise DatesUnavailable.of(reservation.property_id, reservation.stay)

    def save(self, reservation: Reservation) -> None:
        values = {
            "id": reservation.id,
            "property": reservation.property_id,
            "new_status": reservation.status.value,
        }
        if self._connection.run(RESERVATION_STATUS_UPDATE, values).first() is None:
            raise ReservationNotFound.of(reservation.id)
