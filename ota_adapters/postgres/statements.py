"""The repositories' statements, built once as SQLAlchemy Core constructs, values as parameters.

Each is a module constant run with `Connection.execute(statement, values)`:
SQLAlchemy compiles it once and finds the compiled form in its cache after
that. The booking has a module of its own (`booking`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ota_adapters.postgres.schema import (
    idempotency_key_table,
    property_table,
    reservation_table,
)

_p = property_table.c
_r = reservation_table.c
_k = idempotency_key_table.c

_UTC_TIME = sa.DateTime(timezone=True)


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

# Every statement that reads reservations selects these, in this order (`repositories`).
RESERVATION_COLUMNS = (
    _r.reservation_id, _r.property_id, _r.start_date, _r.number_of_nights, _r.created_at,
    _r.status, _r.owner, _r.expires_at,
)  # fmt: skip
_RESERVATION_ID = sa.bindparam("reservation_id", type_=sa.Uuid)
_OWNER = sa.bindparam("owner", type_=sa.Uuid)

RESERVATION_BY_ID = sa.select(*RESERVATION_COLUMNS).where(_r.reservation_id == _RESERVATION_ID)
# By id and owner in one statement: someone else's reservation reads as no row, as an unknown id.
OWNED_RESERVATION = sa.select(*RESERVATION_COLUMNS).where(
    _r.reservation_id == _RESERVATION_ID, _r.owner == _OWNER
)

# The reservation's property is locked first, then the reservation: the order in which a
# booking takes them (the property, then the stays it meets). A cancellation that locked
# its stay first, then the property (in the trigger keeping the free gaps), would
# deadlock with a booking of the same nights waiting for that stay.
_PROPERTY_OF_RESERVATION_LOCKED = _locked(
    sa.select(_p.property_id).where(
        _p.property_id
        == sa.select(_r.property_id).where(_r.reservation_id == _RESERVATION_ID).scalar_subquery()
    )
)
RESERVATION_BY_ID_LOCKED = _locked(
    RESERVATION_BY_ID.where(sa.exists(_PROPERTY_OF_RESERVATION_LOCKED))
)
OWNED_RESERVATION_LOCKED = _locked(
    OWNED_RESERVATION.where(sa.exists(_PROPERTY_OF_RESERVATION_LOCKED))
)

# On Citus, a row lock needs the shard: the property first (a read of every shard),
# then the row locked in its own (a reservation's property never changes).
PROPERTY_OF_RESERVATION = sa.select(_r.property_id).where(
    _r.reservation_id == sa.bindparam("reservation_id", type_=sa.Uuid)
)
_IN_ITS_SHARD = _r.property_id == sa.bindparam("property_id", type_=sa.Text)
# No property lock first there: Citus keeps no free gaps, whose trigger would lock it.
ROUTED_LOCKED = {
    RESERVATION_BY_ID_LOCKED: _locked(RESERVATION_BY_ID.where(_IN_ITS_SHARD)),
    OWNED_RESERVATION_LOCKED: _locked(OWNED_RESERVATION.where(_IN_ITS_SHARD)),
}
# The reads of a caller who names the reservation's property: on Citus they route to its
# shard, without the read of every shard above.
OF_NAMED_PROPERTY = {
    statement: statement.where(_IN_ITS_SHARD)
    for statement in (OWNED_RESERVATION, OWNED_RESERVATION_LOCKED)
}

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
    .values(
        status=sa.bindparam("new_status", type_=sa.Text),
        expires_at=sa.bindparam("new_expires_at", type_=_UTC_TIME),
    )
    .returning(_r.reservation_id)
)

# A key taken meanwhile by another transaction is waited for, then left as it is.
IDEMPOTENCY_RECORD_INSERT = (
    postgresql.insert(idempotency_key_table)
    .values(
        principal=sa.bindparam("principal", type_=sa.Uuid),
        key=sa.bindparam("key", type_=sa.Text),
        fingerprint=sa.bindparam("fingerprint", type_=sa.Text),
        reservation_id=sa.bindparam("reservation_id", type_=sa.Uuid),
        created_at=sa.bindparam("recorded_at", type_=_UTC_TIME),
    )
    .on_conflict_do_nothing(index_elements=[_k.principal, _k.key])
    .returning(_k.key)
)


def forget_in_batches(
    key: sa.Column[Any], due: sa.ColumnElement[bool], oldest: sa.Column[Any]
) -> tuple[sa.Executable, sa.Executable]:
    """Deleting up to `limit` rows that are `due`, `oldest` first: for one node, for Citus.

    One node skips the rows another transaction holds (FOR UPDATE SKIP LOCKED). Citus
    runs no FOR UPDATE over many shards: there the rows are chosen unlocked, and a row
    that another transaction deleted meanwhile is not deleted twice (nor counted).
    """
    chosen = sa.select(key).where(due).order_by(oldest)
    chosen = chosen.limit(sa.bindparam("limit", type_=sa.Integer))

    def delete(rows: sa.Select[Any]) -> sa.Delete:
        return sa.delete(key.table).where(key.in_(rows.scalar_subquery()))

    locked = delete(chosen.with_for_update(skip_locked=True))
    return locked.returning(key), delete(chosen).returning(key)


# Up to `limit` records made before `cutoff`, oldest first.
IDEMPOTENCY_RECORDS_FORGET, IDEMPOTENCY_RECORDS_FORGET_DISTRIBUTED = forget_in_batches(
    _k.key, _k.created_at < sa.bindparam("cutoff", type_=_UTC_TIME), _k.created_at
)
