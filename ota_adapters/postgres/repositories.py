"""The reservations over one unit of work's connection: rows become domain objects here.

In a read-write unit of work a row read by id is locked until the transaction
ends (`locking=True`): the port's promise that a read-check-write is atomic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import psycopg2.errors
import sqlalchemy as sa

from ota_adapters.postgres.booking import RELEASE_CLAIM, BookingOutcome, booking
from ota_adapters.postgres.booking_routed import book_routed
from ota_adapters.postgres.citus import on_citus
from ota_adapters.postgres.connection import UnitConnection
from ota_adapters.postgres.holds import EXPIRED_HOLDS_FORGET, EXPIRED_HOLDS_FORGET_DISTRIBUTED
from ota_adapters.postgres.moves import MOVE
from ota_adapters.postgres.owned import owned_reservations
from ota_adapters.postgres.statements import (
    OF_NAMED_PROPERTY,
    OWNED_RESERVATION,
    OWNED_RESERVATION_LOCKED,
    PROPERTY_OF_RESERVATION,
    RESERVATION_BY_ID,
    RESERVATION_BY_ID_LOCKED,
    RESERVATION_STATUS_UPDATE,
    ROUTED_LOCKED,
)
from ota_core import (
    DateRange,
    DatesUnavailable,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    Principal,
    PropertyId,
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

Row = sa.Row[*tuple[Any, ...]]
Select = sa.Select[Any]


class PostgresReservationReader(ReservationReader):
    def __init__(self, connection: UnitConnection, *, locking: bool = False) -> None:
        self._connection = connection
        self._locking = locking

    def _read(
        self,
        by_id: Select,
        locked: Select,
        values: dict[str, object],
        *,
        property_id: PropertyId | None = None,
    ) -> Row | None:
        """The row `by_id` reads; in a unit of work `locked` reads and locks it instead.

        With `property_id`, only a row of that property. On Citus the lock needs the
        row's shard: the property (read first, unless named), then the row in it.
        """
        named = property_id is not None
        if named:
            values = values | {"property_id": property_id}
        if not self._locking or not on_citus(self._connection):
            statement = locked if self._locking else by_id
            return self._connection.run(OF_NAMED_PROPERTY[statement] if named else statement,
                                        values).first()  # fmt: skip
        if not named:
            property_id = self._connection.run(PROPERTY_OF_RESERVATION, values).scalar()
            if property_id is None:
                return None
            values = values | {"property_id": property_id}
        return self._connection.run(ROUTED_LOCKED[locked], values).first()

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        values: dict[str, object] = {"reservation_id": reservation_id}
        row = self._read(RESERVATION_BY_ID, RESERVATION_BY_ID_LOCKED, values)
        return None if row is None else _reservation(row)

    def get_owned(
        self,
        reservation_id: ReservationId,
        owner: Principal,
        *,
        property_id: PropertyId | None = None,
    ) -> Reservation | None:
        values: dict[str, object] = {"reservation_id": reservation_id, "owner": owner.id}
        row = self._read(
            OWNED_RESERVATION, OWNED_RESERVATION_LOCKED, values, property_id=property_id
        )
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


def _reservation(row: Row) -> Reservation:
    # By position (`RESERVATION_COLUMNS`' order): a Row looks each attribute up by its name.
    reservation_id, property_id, start, nights, created_at, status, owner, expires_at = row
    return Reservation(
        id=ReservationId(reservation_id),
        property_id=PropertyId(property_id),
        stay=DateRange.from_nights(start, nights),
        created_at=created_at,
        status=ReservationStatus(status),
        owner=None if owner is None else Principal(owner),
        expires_at=expires_at,
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
            "new_expires_at": reservation.expires_at,
        }
        if self._connection.run(RESERVATION_STATUS_UPDATE, values).first() is None:
            raise ReservationNotFound.of(reservation.id)

    def move(self, reservation: Reservation, *, now: dt.datetime) -> None:
        """One statement (`moves.MOVE`); a stay committed while it waited fails the UPDATE."""
        stay = reservation.stay
        check_stay_length(stay)
        values = {"id": reservation.id, "of_property": reservation.property_id, "now": now,
                  "new_start": stay.start, "new_end": stay.end,
                  "new_nights": stay.nights}  # fmt: skip
        try:
            outcome = self._connection.run(MOVE, values).one()
        except sa.exc.IntegrityError as error:
            if isinstance(error.orig, psycopg2.errors.ExclusionViolation):
                raise DatesUnavailable.of(reservation.property_id, stay) from error
            raise
        if not outcome.found:
            raise ReservationNotFound.of(reservation.id)
        if not outcome.moved:
            raise DatesUnavailable.of(reservation.property_id, stay)

    def forget_holds_expired_by(self, cutoff: dt.datetime, limit: int) -> int:
        values = {"cutoff": cutoff, "limit": limit}
        citus = on_citus(self._connection)
        forget = EXPIRED_HOLDS_FORGET_DISTRIBUTED if citus else EXPIRED_HOLDS_FORGET
        return len(self._connection.run(forget, values).all())
