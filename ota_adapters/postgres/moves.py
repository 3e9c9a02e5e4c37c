"""A stay moved to other nights, as one statement, and a property's calendar, as one query.

    WITH locked AS (SELECT property_id FROM property WHERE property_id = :of_property
                    FOR NO KEY UPDATE),
         swept AS (DELETE FROM reservation WHERE <a hold of the property, expired by :now,
                   overlapping the new stay> RETURNING reservation_id),
         moved AS (UPDATE reservation SET start_date = :new_start, number_of_nights = :new_nights
                   WHERE reservation_id = :id AND <after locked and swept>
                     AND NOT EXISTS (<another stay taking the new nights at :now>)
                   RETURNING reservation_id)
    SELECT moved, found

The row is changed in place, so the exclusion constraint compares the new nights
with the other stays only: a stay may move over its own old nights. The check of
the others sees the data as the statement began; a stay committed while it
waited for the property's row makes the constraint refuse the UPDATE instead,
an error the adapter reports as `DatesUnavailable` like any other refusal.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ota_adapters.postgres.holds import after, expired_holds_in_the_way, occupying
from ota_adapters.postgres.schema import CONFIRMED_ONLY, property_table, reservation_table
from ota_core import LONGEST_STAY_NIGHTS

_p = property_table.c
_r = reservation_table.c

_UTC_TIME = sa.DateTime(timezone=True)
_ID = sa.bindparam("id", type_=sa.Uuid)
_NOW = sa.bindparam("now", type_=_UTC_TIME)
# Typed in the SQL itself: `date - integer` is a date, whatever renders the parameter.
# Named apart from the columns: a value named as a column is what an UPDATE sets.
_START = sa.cast(sa.bindparam("new_start", type_=sa.Date), sa.Date)
_END = sa.cast(sa.bindparam("new_end", type_=sa.Date), sa.Date)


def _taken_by_another(property_id: sa.ColumnElement[Any]) -> sa.Exists:
    other = reservation_table.alias("other")
    return (
        sa.select(sa.literal_column("1"))
        .where(
            other.c.property_id == property_id,
            other.c.reservation_id != _ID,
            sa.text(f"other.{CONFIRMED_ONLY}"),
            other.c.start_date < _END,
            other.c.start_date > _START - LONGEST_STAY_NIGHTS,
            other.c.end_date > _START,
            occupying(other.c.expires_at, _NOW),
        )
        .exists()
    )


def _move() -> sa.Select[bool, bool]:
    locked = (
        sa.select(_p.property_id)
        .where(_p.property_id == sa.bindparam("of_property", type_=sa.Text))
        .with_for_update(key_share=True)
        .cte("locked")
    )
    property_id = sa.select(locked.c.property_id).scalar_subquery()
    swept = expired_holds_in_the_way(property_id, _START, _END, _NOW)
    moved = (
        sa.update(reservation_table)
        .where(
            _r.reservation_id == _ID,
            _r.property_id == property_id,
            after(swept),
            ~_taken_by_another(property_id),
        )
        .values(
            start_date=_START,
            number_of_nights=sa.bindparam("new_nights", type_=sa.Integer),
        )
        .returning(_r.reservation_id)
        .cte("moved")
    )
    found = sa.select(_r.reservation_id).where(_r.reservation_id == _ID).exists()
    return sa.select(sa.exists(moved.select()).label("moved"), found.label("found"))


MOVE = _move()


def _calendar() -> sa.Select[Any]:
    """One row per taken range of the window, merged (`range_agg`); one of NULLs if none."""
    window = sa.func.daterange(
        sa.bindparam("from", type_=sa.Date), sa.bindparam("to", type_=sa.Date)
    )
    start = sa.cast(sa.bindparam("from", type_=sa.Date), sa.Date)
    ranges = (
        sa.select(sa.func.range_agg(sa.func.daterange(_r.start_date, _r.end_date).op("*")(window)))
        .where(
            _r.property_id == sa.bindparam("property_id", type_=sa.Text),
            sa.text(f"reservation.{CONFIRMED_ONLY}"),
            _r.start_date < sa.bindparam("to", type_=sa.Date),
            _r.start_date > start - LONGEST_STAY_NIGHTS,
            _r.end_date > start,
            occupying(_r.expires_at, _NOW),
        )
        .scalar_subquery()
    )
    taken = sa.func.unnest(ranges).table_valued("taken_range").render_derived(name="taken")
    return (
        sa.select(
            _p.property_id,
            sa.func.lower(taken.c.taken_range, type_=sa.Date).label("taken_start"),
            sa.func.upper(taken.c.taken_range, type_=sa.Date).label("taken_end"),
        )
        .select_from(property_table.outerjoin(taken, sa.true()))
        .where(_p.property_id == sa.bindparam("property_id", type_=sa.Text))
        .order_by(sa.literal_column("taken_start"))
    )


CALENDAR = _calendar()
