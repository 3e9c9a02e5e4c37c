"""What holds add to the statements: which rows take nights, and the removal of expired ones.

A hold takes its nights while `expires_at` is after the moment a statement is
given (`now`, a parameter: the application's clock, the one the core uses);
an expired one takes none, whether or not anything deleted it yet.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ota_adapters.postgres.schema import CONFIRMED_ONLY, reservation_table
from ota_adapters.postgres.statements import forget_in_batches

_r = reservation_table.c
_UTC_TIME = sa.DateTime(timezone=True)


def occupying(expires_at: sa.ColumnElement[Any], now: sa.ColumnElement[Any]) -> Any:
    """True for a row, by its `expires_at`, that takes its nights at `now`: not an expired hold.

    The status stays with the caller, written as the partial indexes' predicate.
    """
    return sa.or_(expires_at.is_(None), expires_at > now)


def expired_holds_delete(
    property_id: sa.ColumnElement[Any],
    start: sa.ColumnElement[Any],
    end: sa.ColumnElement[Any],
    now: sa.ColumnElement[Any],
) -> sa.Delete:
    """Deleting the property's holds expired by `now` that overlap `[start, end)`.

    Run by the statement that takes those nights (or just before it, on Citus), after the
    property's row lock, so the exclusion constraint then meets no expired hold. The holds'
    index finds them.
    """
    return sa.delete(reservation_table).where(
        _r.property_id == property_id,
        sa.text(f"reservation.{CONFIRMED_ONLY}"),
        _r.expires_at <= now,
        _r.start_date < end,
        _r.end_date > start,
    )


def expired_holds_in_the_way(
    property_id: sa.ColumnElement[Any],
    start: sa.ColumnElement[Any],
    end: sa.ColumnElement[Any],
    now: sa.ColumnElement[Any],
) -> sa.CTE:
    """`expired_holds_delete` as a CTE of the statement that takes the nights."""
    delete = expired_holds_delete(property_id, start, end, now)
    return delete.returning(_r.reservation_id).cte("swept")


def after(cte: sa.CTE) -> sa.ColumnElement[bool]:
    """A condition that holds once `cte` has run to its end: order between data-modifying CTEs."""
    return sa.select(sa.func.count()).select_from(cte).scalar_subquery() >= sa.literal_column("0")


# Up to `limit` holds expired by `cutoff`, released ones too, the longest expired first.
EXPIRED_HOLDS_FORGET, EXPIRED_HOLDS_FORGET_DISTRIBUTED = forget_in_batches(
    _r.reservation_id, _r.expires_at <= sa.bindparam("cutoff", type_=_UTC_TIME), _r.expires_at
)
