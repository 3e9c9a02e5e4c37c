"""The repositories' statements, built once as SQLAlchemy Core constructs, values as parameters.

Each is a module constant run with `Connection.execute(statement, values)`:
SQLAlchemy compiles it once and finds the compiled form in its cache after
that. The booking has a module of its own (`booking`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ota_adapters.postgres.schema import (
    CONFIRMED_ONLY,
    idempotency_key_table,
    property_table,
    reservation_table,
)
from ota_core import LONGEST_STAY_NIGHTS, DateRange, PropertyId

_p = property_table.c
_r = reservation_table.c
_k = idempotency_key_table.c

_UTC_TIME = sa.DateTime(timezone=True)


def _free_properties(*, with_cursor: bool) -> sa.Select[str, str]:
    """One page of properties with no confirmed stay overlapping [start, end), by id.

    Per property in id order, one probe of the (property_id, start_date)
    B-tree over the stays that start in the `LONGEST_STAY_NIGHTS` days before
    `end`: no stored stay is longer (a CHECK), so none that starts earlier
    can reach into the stay. A page costs one probe per property scanned,
    however many stays the table holds.
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


FREE_PROPERTIES = _free_properties(with_cursor=False)
FREE_PROPERTIES_AFTER = _free_properties(with_cursor=True)


def free_properties(
    stay: DateRange, after: PropertyId | None, limit: int
) -> tuple[sa.Select[str, str], dict[str, object]]:
    """The statement of one page of search, and its values."""
    values: dict[str, object] = {"start": stay.start, "end": stay.end, "limit": limit}
    if after is None:
        return FREE_PROPERTIES, values
    return FREE_PROPERTIES_AFTER, values | {"after": after}


def free_properties_query(
    stay: DateRange, after: PropertyId | None, limit: int
) -> sa.Select[str, str]:
    """The page's statement with its values bound in (to render it or EXPLAIN it)."""
    statement, values = free_properties(stay, after, limit)
    return statement.params(values)


def _locked(statement: sa.Select[tuple[object, ...]]) -> sa.Select[tuple[object, ...]]:
    """`statement`, locking the row it reads until the transaction ends.

    `FOR NO KEY UPDATE`, the lock of an UPDATE that changes no key: it keeps other
    readers that lock and writers waiting, not foreign key checks.
    """
    return statement.with_for_update(key_share=True)


PROPERTY_BY_ID = sa.select(_p.property_id, _p.description).where(
    _p.property_id == sa.bindparam("property_id", type_=sa.Text)
)
PROPERTY_BY_ID_LOCKED = _locked(PROPERTY_BY_ID)

RESERVATION_COLUMNS = (
    _r.reservation_id, _r.property_id, _r.start_date, _r.number_of_nights, _r.created_at,
    _r.status, _r.owner,
)  # fmt: skip
_RESERVATION_ID = sa.bindparam("reservation_id", type_=sa.Uuid)
_OWNER = sa.bindparam("owner", type_=sa.Uuid)

RESERVATION_BY_ID = sa.select(*RESERVATION_COLUMNS).where(_r.reservation_id == _RESERVATION_ID)
RESERVATION_BY_ID_LOCKED = _locked(RESERVATION_BY_ID)
# By id and owner in one statement: someone else's reservation reads as no row, as an unknown id.
OWNED_RESERVATION = sa.select(*RESERVATION_COLUMNS).where(
    _r.reservation_id == _RESERVATION_ID, _r.owner == _OWNER
)
OWNED_RESERVATION_LOCKED = _locked(OWNED_RESERVATION)

# On Citus, a row lock needs the shard: the property first (a read of every shard),
# then the row locked in its own (a reservation's property never changes).
PROPERTY_OF_RESERVATION = sa.select(_r.property_id).where(
    _r.reservation_id == sa.bindparam("reservation_id", type_=sa.Uuid)
)
RESERVATION_BY_ID_ROUTED_LOCKED = RESERVATION_BY_ID_LOCKED.where(
    _r.property_id == sa.bindparam("property_id", type_=sa.Text)
)
OWNED_RESERVATION_ROUTED_LOCKED = OWNED_RESERVATION_LOCKED.where(
    _r.property_id == sa.bindparam("property_id", type_=sa.Text)
)

IDEMPOTENCY_RECORD_BY_KEY_LOCKED = _locked(
    sa.select(_k.principal, _k.key, _k.fingerprint, _k.reservation_id, _k.created_at).where(
        _k.principal == sa.bindparam("principal", type_=sa.Uuid),
        _k.key == sa.bindparam("key", type_=sa.Text),
    )
)

PROPERTY_INSERT = (
    postgresql.insert(property_table)
    .values(
        property_id=sa.bindparam("property_id", type_=sa.Text),
        description=sa.bindparam("description", type_=sa.Text),
    )
    .on_conflict_do_nothing(index_elements=[_p.property_id])
)

# The values' names are not the columns': those name what an UPDATE sets. The property
# adds nothing on one node; on Citus it routes the UPDATE to the reservation's shard.
RESERVATION_STATUS_UPDATE = (
    sa.update(reservation_table)
    .where(
        _r.reservation_id == sa.bindparam("id", type_=sa.Uuid),
        _r.property_id == sa.bindparam("property", type_=sa.Text),
    )
    .values(status=sa.bindparam("new_status", type_=sa.Text))
    .returning(_r.reservation_id)
)

_FORGETTABLE = (
    sa.select(_k.key)
    .where(_k.created_at < sa.bindparam("cutoff", type_=_UTC_TIME))
    .order_by(_k.created_at)
    .limit(sa.bindparam("limit", type_=sa.Integer))
)

# Up to `limit` records made before `cutoff`, oldest first; none another transaction holds.
IDEMPOTENCY_RECORDS_FORGET = (
    sa.delete(idempotency_key_table)
    .where(_k.key.in_(_FORGETTABLE.with_for_update(skip_locked=True).scalar_subquery()))
    .returning(_k.key)
)
# Citus runs no FOR UPDATE over many shards: the oldest records are chosen unlocked, and
# a record that another transaction forgot meanwhile is not deleted twice (nor counted).
IDEMPOTENCY_RECORDS_FORGET_DISTRIBUTED = (
    sa.delete(idempotency_key_table)
    .where(_k.key.in_(_FORGETTABLE.scalar_subquery()))
    .returning(_k.key)
)
