"""A booking or hold as one statement: lock the property, claim the key, insert the stay.

    WITH locked AS (SELECT property_id FROM property WHERE property_id = :property_id
                    FOR NO KEY UPDATE),
         swept AS (DELETE FROM reservation WHERE <a hold of the locked property, expired
                   by :created_at, overlapping the stay> RETURNING reservation_id),
         claimed AS (INSERT INTO idempotency_key ... SELECT ... FROM locked
                     ON CONFLICT (principal, key) DO NOTHING RETURNING key), -- with a key only
         booked AS (INSERT INTO reservation ... SELECT ... FROM locked JOIN claimed ON true
                    WHERE (SELECT count(*) FROM swept) >= 0               -- after the sweep
                    ON CONFLICT ON CONSTRAINT reservation_no_overlap DO NOTHING
                    RETURNING reservation_id)
    SELECT property_found, key_taken, booked

The property's row lock queues the bookings of one property, so the exclusion
constraint meets only committed stays; it still decides every race. (Inserts that
met each other's uncommitted stays could wait for each other: a deadlock.) A refused
stay or a taken key writes no row instead of failing, and the statement says which
from what its parts returned, never from a row count. The key is claimed before the
stay is inserted, so a request sent again learns that its key is taken even when its
own stay now holds the nights. Expired holds in the stay's way are deleted before the
insert, in the same transaction: the constraint, which covers holds too, never meets
one, and a hold's nights can be booked the moment it expires.
"""

from __future__ import annotations

from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ota_adapters.postgres.holds import after, expired_holds_in_the_way
from ota_adapters.postgres.schema import (
    NO_OVERLAP,
    idempotency_key_table,
    property_table,
    reservation_table,
)
from ota_core import IdempotencyRecord, Reservation

_p = property_table.c
_k = idempotency_key_table.c

_PROPERTY_ID = sa.bindparam("property_id", type_=sa.Text)
_KEY = sa.bindparam("key", type_=sa.Text)
_CREATED_AT = sa.bindparam("created_at", type_=sa.DateTime(timezone=True))
_PRINCIPAL = sa.bindparam("principal", type_=sa.Uuid)
_THE_KEY = sa.and_(_k.principal == _PRINCIPAL, _k.key == _KEY)


def stay_row(property_id: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """The new stay's values as a row, its property the one `property_id` selects (locked)."""
    return sa.select(
        sa.bindparam("reservation_id", type_=sa.Uuid),
        property_id,
        sa.bindparam("start_date", type_=sa.Date),
        sa.bindparam("number_of_nights", type_=sa.Integer),
        sa.bindparam("status", type_=sa.Text),
        _CREATED_AT,
        sa.bindparam("owner", type_=sa.Uuid),
        sa.bindparam("expires_at", type_=sa.DateTime(timezone=True)),
    )


_STAY_COLUMNS = ["reservation_id", "property_id", "start_date", "number_of_nights", "status",
                 "created_at", "owner", "expires_at"]  # fmt: skip


def insert_stay(stay: sa.Select[Any]) -> postgresql.Insert:
    """Insert the row `stay` selects, unless a live stay of the property overlaps it."""
    return (
        postgresql.insert(reservation_table)
        .from_select(_STAY_COLUMNS, stay)
        .on_conflict_do_nothing(constraint=NO_OVERLAP)
    )


def _booking(*, with_key: bool) -> sa.Select[Any]:
    locked = (
        sa.select(_p.property_id)
        .where(_p.property_id == _PROPERTY_ID)
        .with_for_update(key_share=True)
        .cte("locked")
    )
    swept = expired_holds_in_the_way(
        sa.select(locked.c.property_id).scalar_subquery(),
        sa.bindparam("start_date", type_=sa.Date),
        sa.bindparam("end_date", type_=sa.Date),
        _CREATED_AT,
    )
    claim = sa.select(
        _PRINCIPAL,
        _KEY,
        sa.bindparam("fingerprint", type_=sa.Text),
        sa.bindparam("key_reservation_id", type_=sa.Uuid),
        sa.bindparam("recorded_at", type_=sa.DateTime(timezone=True)),
    ).select_from(locked)
    claimed = (
        postgresql.insert(idempotency_key_table)
        .from_select(["principal", "key", "fingerprint", "reservation_id", "created_at"], claim)
        .on_conflict_do_nothing(index_elements=[_k.principal, _k.key])
        .returning(_k.key)
        .cte("claimed")
    )
    # With a key, a stay row only once the key is claimed: `locked JOIN claimed ON true`.
    source = locked.join(claimed, sa.true()) if with_key else locked
    stay = stay_row(locked.c.property_id).select_from(source).where(after(swept))
    booked = insert_stay(stay).returning(reservation_table.c.reservation_id).cte("booked")
    property_found = sa.exists(locked.select())
    # A key held before the statement began: with the property's row, the claim says
    # so; without it, nothing was claimed and the records are read.
    key_taken = (
        sa.case(
            (property_found, ~sa.exists(claimed.select())),
            else_=sa.exists(sa.select(_k.key).where(_THE_KEY)),
        )
        if with_key
        else sa.false()
    )
    return sa.select(
        property_found.label("property_found"),
        key_taken.label("key_taken"),
        sa.exists(booked.select()).label("booked"),
    )


@attrs.frozen
class BookingOutcome:
    """What a booking's statements returned."""

    booked: bool
    key_taken: bool
    property_found: bool
    claim_held: bool  # the key was claimed, by this booking (released if it is refused)

    @classmethod
    def of(cls, row: sa.Row[*tuple[Any, ...]], *, with_key: bool) -> BookingOutcome:
        """From the statement's one row (the key went in only with the property's row)."""
        property_found, key_taken, booked = row  # by position: the statement's order
        claimed = with_key and property_found and not key_taken
        return cls(booked, key_taken, property_found, claim_held=claimed)


BOOKING = _booking(with_key=False)
BOOKING_WITH_KEY = _booking(with_key=True)

RELEASE_CLAIM = sa.delete(idempotency_key_table).where(_THE_KEY)
"""Undoes a claim the same transaction made with a stay that was refused."""


def booking(
    reservation: Reservation, idempotency: IdempotencyRecord | None
) -> tuple[sa.Select[Any], dict[str, object]]:
    """The statement that books `reservation` (claiming `idempotency.key`), and its values."""
    values: dict[str, object] = {
        "reservation_id": reservation.id,
        "property_id": reservation.property_id,
        "start_date": reservation.stay.start,
        "end_date": reservation.stay.end,
        "number_of_nights": reservation.stay.nights,
        "status": reservation.status.value,
        "created_at": reservation.created_at,
        "owner": None if reservation.owner is None else reservation.owner.id,
        "expires_at": reservation.expires_at,
    }
    if idempotency is None:
        return BOOKING, values
    return BOOKING_WITH_KEY, values | {
        "principal": idempotency.principal.id,
        "key": idempotency.key,
        "fingerprint": idempotency.fingerprint,
        "key_reservation_id": idempotency.reservation_id,
        "recorded_at": idempotency.recorded_at,
    }
