"""Every statement the repositories run, each built once with its values as parameters.

Each is compiled once for psycopg2 (`for_driver`): the adapter runs the SQL on
the driver's cursor (ADR 0015). The three every request makes come first: one
page of search, one booking, one read by id.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import cast

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.compiler import SQLCompiler

from ota_adapters.postgres.schema import (
    CONFIRMED_ONLY,
    NO_OVERLAP,
    idempotency_key_table,
    property_table,
    reservation_table,
)
from ota_core import LONGEST_STAY_NIGHTS, DateRange, PropertyId

_p = property_table.c
_r = reservation_table.c
_k = idempotency_key_table.c

_DIALECT = postgresql.psycopg2.dialect()  # type: ignore[no-untyped-call]


@attrs.frozen
class DriverStatement:
    """A statement as psycopg2 takes it: SQL with named placeholders, and the values it fixes.

    The values given to `params` go to the driver as they are: no SQLAlchemy
    type converts them (psycopg2 adapts dates, times and, on connections of
    SQLAlchemy's dialect, UUIDs both ways).
    """

    sql: str
    constants: Mapping[str, object]

    def params(self, values: Mapping[str, object]) -> dict[str, object]:
        return {**self.constants, **values}


@functools.cache
def for_driver(statement: sa.ClauseElement) -> DriverStatement:
    """`statement` compiled for psycopg2, once per statement object."""
    compiled = cast(SQLCompiler, statement.compile(dialect=_DIALECT))
    constants = {
        name: bind.effective_value
        for bind, name in compiled.bind_names.items()
        if not bind.required
    }
    return DriverStatement(compiled.string, constants)


@functools.cache
def free_properties_statement(*, with_cursor: bool) -> sa.Select[str, str]:
    """One page of properties with no confirmed stay overlapping [start, end), by id.

    Per property in id order, one probe of the (property_id, start_date)
    B-tree over the stays that start in the `LONGEST_STAY_NIGHTS` days before
    `end`: no stored stay is longer (a CHECK), so none that starts earlier
    can reach into the stay. A page costs one probe per property scanned,
    however many stays the table holds.

    Built once per shape, values as parameters (`free_properties_params`):
    SQLAlchemy then finds the compiled form in its cache without rebuilding
    the statement or its cache key on every request.
    """
    # Typed in the SQL itself: `date - integer` is a date, whatever renders the parameter.
    start = sa.cast(sa.bindparam("start", type_=sa.Date), sa.Date)
    blocking = (
        sa.select(sa.literal_column("1"))
        .where(
            _r.property_id == _p.property_id,
            sa.text(f"reservation.{CONFIRMED_ONLY}"),
            _r.start_date < sa.bindparam("end", type_=sa.Date),
            _r.start_date > start - LONGEST_STAY_NIGHTS,
            _r.end_date > start,
        )
        # OFFSET keeps PostgreSQL from turning NOT EXISTS into an anti-join: misled
        # by the correlated date bounds, the planner would often read the whole
        # table instead of probing per property (ADR 0004).
        .offset(0)
        .exists()
    )
    query = sa.select(_p.property_id, _p.description).where(~blocking)
    if with_cursor:
        query = query.where(_p.property_id > sa.bindparam("after", type_=sa.Text))
    return query.order_by(_p.property_id).limit(sa.bindparam("limit", type_=sa.Integer))


def free_properties_params(
    stay: DateRange, after: PropertyId | None, limit: int
) -> dict[str, object]:
    """The values of `free_properties_statement(with_cursor=after is not None)`."""
    params: dict[str, object] = {"start": stay.start, "end": stay.end, "limit": limit}
    if after is not None:
        params["after"] = after
    return params


def free_properties_query(
    stay: DateRange, after: PropertyId | None, limit: int
) -> sa.Select[str, str]:
    """The page's statement with its values bound in (to render it or EXPLAIN it)."""
    statement = free_properties_statement(with_cursor=after is not None)
    return statement.params(free_properties_params(stay, after, limit))


RESERVATION_COLUMNS = (_r.reservation_id, _r.property_id, _r.start_date,
                       _r.number_of_nights, _r.created_at, _r.status)  # fmt: skip


@functools.cache
def reservation_by_id() -> sa.Select[tuple[object, ...]]:
    """The columns of `RESERVATION_COLUMNS` of one reservation, by `reservation_id`."""
    wanted = sa.bindparam("reservation_id", type_=sa.Uuid)
    return sa.select(*RESERVATION_COLUMNS).where(_r.reservation_id == wanted)


BOOKING_LOCKS = 0x07A_B00C
"""The class of advisory locks that queue the bookings of one property (`pg_locks.classid`)."""


@functools.cache
def insert_in_turn() -> postgresql.Insert:
    """INSERT a reservation once earlier bookings of its property have finished.

    Inserts that conflict on the exclusion constraint wait for each other's
    uncommitted rows, and two can each wait for the other: a deadlock that
    PostgreSQL breaks only after `deadlock_timeout` (1 s), again and again
    under contention. Taking a transaction-scoped advisory lock on the
    property first, in the same statement, makes them queue instead, and
    the constraint then meets only committed rows. It orders the inserts;
    the constraint still decides.

    A stay the constraint refuses is not inserted (`ON CONFLICT ON CONSTRAINT
    ... DO NOTHING`): the statement writes no row instead of failing, so a
    refused booking is an answer, not an error to raise, wrap and log on both
    sides. Every other constraint (the key, the property, the nights) still fails it.
    """
    property_id = sa.bindparam("property_id", type_=sa.Text)
    in_turn = sa.select(
        sa.func.pg_advisory_xact_lock(BOOKING_LOCKS, sa.func.hashtext(property_id))
    ).cte("in_turn")
    row = sa.select(
        sa.bindparam("reservation_id", type_=sa.Uuid),
        property_id,
        sa.bindparam("start_date", type_=sa.Date),
        sa.bindparam("number_of_nights", type_=sa.Integer),
        sa.bindparam("status", type_=sa.Text),
        sa.bindparam("created_at", type_=sa.DateTime(timezone=True)),
    ).select_from(in_turn)
    columns = ["reservation_id", "property_id", "start_date", "number_of_nights", "status",
               "created_at"]  # fmt: skip
    booking = postgresql.insert(reservation_table).from_select(columns, row)
    return booking.on_conflict_do_nothing(constraint=NO_OVERLAP)


# The statements of the other repository methods.


@functools.cache
def property_insert() -> postgresql.Insert:
    """A property, unless one with its id is stored already."""
    row = postgresql.insert(property_table).values(
        property_id=sa.bindparam("property_id", type_=sa.Text),
        description=sa.bindparam("description", type_=sa.Text),
    )
    return row.on_conflict_do_nothing(index_elements=[_p.property_id])


@functools.cache
def property_by_id() -> sa.Select[tuple[str, str]]:
    wanted = sa.bindparam("property_id", type_=sa.Text)
    return sa.select(_p.property_id, _p.description).where(_p.property_id == wanted)


@functools.cache
def reservation_status_update() -> sa.Update:
    wanted = sa.bindparam("reservation_id", type_=sa.Uuid)
    status = sa.bindparam("status", type_=sa.Text)
    return sa.update(reservation_table).where(_r.reservation_id == wanted).values(status=status)


@functools.cache
def idempotency_record_by_key() -> sa.Select[tuple[object, ...]]:
    wanted = sa.bindparam("key", type_=sa.Text)
    columns = (_k.key, _k.fingerprint, _k.reservation_id, _k.created_at)
    return sa.select(*columns).where(_k.key == wanted)


@functools.cache
def idempotency_record_insert() -> sa.Insert:
    return sa.insert(idempotency_key_table).values(
        key=sa.bindparam("key", type_=sa.Text),
        fingerprint=sa.bindparam("fingerprint", type_=sa.Text),
        reservation_id=sa.bindparam("reservation_id", type_=sa.Uuid),
        created_at=sa.bindparam("created_at", type_=sa.DateTime(timezone=True)),
    )


@functools.cache
def idempotency_records_forget() -> sa.Delete:
    """Up to `limit` records made before `cutoff`, oldest first; none another transaction holds."""
    expired = (
        sa.select(_k.key)
        .where(_k.created_at < sa.bindparam("cutoff", type_=sa.DateTime(timezone=True)))
        .order_by(_k.created_at)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .with_for_update(skip_locked=True)
    )
    return sa.delete(idempotency_key_table).where(_k.key.in_(expired.scalar_subquery()))
