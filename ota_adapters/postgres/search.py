"""One page of search: the search function's call, or on Citus the per-property probe.

One node keeps each property's free gaps and answers through `free_properties()`
(ADR 0022). Citus does not keep them (`citus`): there each property after the cursor
is probed for a stay in its shard, the design ADR 0004 describes.
"""

from __future__ import annotations

import datetime as dt

import attrs
import sqlalchemy as sa

from ota_adapters.postgres.holds import occupying
from ota_adapters.postgres.schema import CONFIRMED_ONLY, property_table, reservation_table
from ota_adapters.postgres.search_function import PROBE_BUDGET, SPARSE_CAP
from ota_core import LONGEST_STAY_NIGHTS, DateRange, PropertyId

_p = property_table.c
_r = reservation_table.c
_UTC_TIME = sa.DateTime(timezone=True)


@attrs.frozen
class SearchBounds:
    """How much one page of search may read before it changes stage (`search_function`).

    They bound a page's cost, never its answer: any bounds give the same pages.
    """

    probe_budget: int = attrs.field(default=PROBE_BUDGET, validator=attrs.validators.ge(1))
    sparse_cap: int = attrs.field(default=SPARSE_CAP, validator=attrs.validators.ge(1))


DEFAULT_SEARCH_BOUNDS = SearchBounds()


def _free_properties() -> sa.Select[str, str]:
    """One page of properties with nothing taking nights of [start, end) at `now`, by id.

    The search function `free_properties()` (migration 0005, `search_function`)
    finds the page in one round trip, at a cost bounded by the page rather than
    by the properties it skips (ADR 0022); it returns the page's rows unordered.
    """
    page = sa.func.free_properties(
        sa.bindparam("start", type_=sa.Date),
        sa.bindparam("end", type_=sa.Date),
        sa.bindparam("after", type_=sa.Text),
        sa.bindparam("limit", type_=sa.Integer),
        sa.bindparam("now", type_=_UTC_TIME),
        sa.bindparam("budget", type_=sa.Integer),
        sa.bindparam("cap", type_=sa.Integer),
    ).table_valued(sa.column("property_id", sa.Text), sa.column("description", sa.Text))
    return sa.select(page.c.property_id, page.c.description).order_by(page.c.property_id)


FREE_PROPERTIES = _free_properties()


def free_properties(  # noqa: PLR0913 - the page's values, each by name
    stay: DateRange,
    after: PropertyId | None,
    limit: int,
    now: dt.datetime,
    bounds: SearchBounds = DEFAULT_SEARCH_BOUNDS,
    *,
    probe: bool = False,
) -> tuple[sa.Select[str, str], dict[str, object]]:
    """The statement of one page of search, and its values (no cursor: `after` is NULL).

    `probe`: the statement that probes every property after the cursor (on Citus,
    where the free gaps are not kept: `citus`).
    """
    values: dict[str, object] = {"start": stay.start, "end": stay.end, "after": after}
    if probe:
        statement = PROBE_FREE_PROPERTIES if after is None else PROBE_FREE_PROPERTIES_AFTER
        return statement, values | {"limit": limit, "now": now}
    return FREE_PROPERTIES, values | {
        "limit": limit,
        "now": now,
        "budget": bounds.probe_budget,
        "cap": bounds.sparse_cap,
    }


def free_properties_query(
    stay: DateRange, after: PropertyId | None, limit: int, now: dt.datetime
) -> sa.Select[str, str]:
    """The page's statement with its values bound in (to render it or EXPLAIN it)."""
    statement, values = free_properties(stay, after, limit, now)
    return statement.params(values)


def _probe_free_properties(*, with_cursor: bool) -> sa.Select[str, str]:
    """One page of properties with no stay taking nights of [start, end) at `now`, by id.

    Per property in id order, one probe of the (property_id, start_date)
    B-tree over the stays that start in the `LONGEST_STAY_NIGHTS` days before
    `end`: no stored stay is longer (a CHECK), so none that starts earlier
    can reach into the stay. A page costs one probe per property scanned,
    however many stays the table holds. The index includes `expires_at`, so
    the probe passes over expired holds without reading the table.
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
            occupying(_r.expires_at, sa.bindparam("now", type_=_UTC_TIME)),
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


PROBE_FREE_PROPERTIES = _probe_free_properties(with_cursor=False)
PROBE_FREE_PROPERTIES_AFTER = _probe_free_properties(with_cursor=True)
