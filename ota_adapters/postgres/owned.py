"""A principal's reservations, a keyset page at a time, in `reservation_owner_idx`'s order.

One statement per shape (with or without a status, with or without a cursor), built
once; an open end of the date window is bound as the calendar's first or last day.
Both ends of the window bound the index scan by start date: a stay with a night on or
after `window_start` starts less than `LONGEST_STAY_NIGHTS` days before it (a CHECK).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import sqlalchemy as sa

from ota_adapters.postgres.schema import reservation_table
from ota_adapters.postgres.statements import RESERVATION_COLUMNS
from ota_core import LONGEST_STAY_NIGHTS, Principal, ReservationCursor, ReservationFilter

_r = reservation_table.c
_LOOK_BACK = dt.timedelta(days=LONGEST_STAY_NIGHTS)
_LOOK_BACK_FROM = dt.date.min + _LOOK_BACK


@functools.cache
def _owned_reservations(*, with_status: bool, with_cursor: bool) -> sa.Select[Any]:
    query = sa.select(*RESERVATION_COLUMNS).where(
        _r.owner == sa.bindparam("owner", type_=sa.Uuid),
        _r.end_date > sa.bindparam("window_start", type_=sa.Date),
        _r.start_date > sa.bindparam("starts_after", type_=sa.Date),
        _r.start_date < sa.bindparam("window_end", type_=sa.Date),
    )
    if with_status:
        query = query.where(_r.status == sa.bindparam("status", type_=sa.Text))
    if with_cursor:
        after = sa.tuple_(
            sa.bindparam("after_start", type_=sa.Date),
            sa.bindparam("after_id", type_=sa.Uuid),
        )
        query = query.where(sa.tuple_(_r.start_date, _r.reservation_id) > after)
    return query.order_by(_r.start_date, _r.reservation_id).limit(
        sa.bindparam("limit", type_=sa.Integer)
    )


def owned_reservations(
    owner: Principal, where: ReservationFilter, after: ReservationCursor | None, limit: int
) -> tuple[sa.Select[Any], dict[str, object]]:
    """The statement of one page of `owner`'s reservations that `where` matches, and its values."""
    statement = _owned_reservations(
        with_status=where.status is not None, with_cursor=after is not None
    )
    window_start = where.window_start or dt.date.min
    values: dict[str, object] = {
        "owner": owner.id,
        "window_start": window_start,
        "starts_after": max(window_start, _LOOK_BACK_FROM) - _LOOK_BACK,
        "window_end": where.window_end or dt.date.max,
        "limit": limit,
    }
    if where.status is not None:
        values["status"] = where.status.value
    if after is not None:
        values |= {"after_start": after.start, "after_id": after.reservation_id}
    return statement, values
