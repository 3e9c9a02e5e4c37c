"""A booking on Citus: statements that each route to one shard.

On one node a booking is one statement (`booking`), a data-modifying CTE. Citus
cannot route such a CTE as a whole: it runs each part as a distributed subplan
and pulls the insert's rows through the coordinator. Here each statement names
its distribution column, so Citus sends it whole to one shard:

    INSERT INTO idempotency_key ... ON CONFLICT (principal, key) DO NOTHING RETURNING key
    DELETE FROM reservation WHERE <an expired hold of the property in the stay's way>
    INSERT INTO reservation ... SELECT ... FROM property WHERE property_id = :property_id
        FOR NO KEY UPDATE ON CONFLICT ON CONSTRAINT reservation_no_overlap DO NOTHING
        RETURNING reservation_id
    SELECT EXISTS (property)                                      -- only when refused

The property's row lock still queues the bookings of one property, and the
exclusion constraint, in the property's shard, decides. The key is claimed first,
as on one node: a retry racing its original waits for the original's claim, then
finds the key taken. Each outcome is read from what the statements returned.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ota_adapters.postgres.booking import BookingOutcome, insert_stay, stay_row
from ota_adapters.postgres.connection import UnitConnection
from ota_adapters.postgres.holds import expired_holds_delete
from ota_adapters.postgres.schema import idempotency_key_table, property_table, reservation_table

_p = property_table.c
_k = idempotency_key_table.c
_PROPERTY_ID = sa.bindparam("property_id", type_=sa.Text)

CLAIM = (
    postgresql.insert(idempotency_key_table)
    .values(
        principal=sa.bindparam("principal", type_=sa.Uuid),
        key=sa.bindparam("key", type_=sa.Text),
        fingerprint=sa.bindparam("fingerprint", type_=sa.Text),
        reservation_id=sa.bindparam("key_reservation_id", type_=sa.Uuid),
        created_at=sa.bindparam("recorded_at", type_=sa.DateTime(timezone=True)),
    )
    .on_conflict_do_nothing(index_elements=[_k.principal, _k.key])
    .returning(_k.key)
)

BOOK = insert_stay(
    stay_row(_p.property_id).where(_p.property_id == _PROPERTY_ID).with_for_update(key_share=True)
).returning(reservation_table.c.reservation_id)

# Expired holds in the stay's way, deleted before the insert (as the one-node CTE does).
SWEEP = expired_holds_delete(
    _PROPERTY_ID,
    sa.bindparam("start_date", type_=sa.Date),
    sa.bindparam("end_date", type_=sa.Date),
    sa.bindparam("created_at", type_=sa.DateTime(timezone=True)),
)

PROPERTY_EXISTS = sa.select(sa.exists().where(_p.property_id == _PROPERTY_ID))


def book_routed(connection: UnitConnection, values: dict[str, object]) -> BookingOutcome:
    """Claim the key (if `values` has one), then insert the stay; say what happened."""
    claimed = "key" not in values or connection.run(CLAIM, values).first() is not None
    if not claimed:
        return BookingOutcome(booked=False, key_taken=True, property_found=True, claim_held=False)
    connection.run(SWEEP, values)
    if connection.run(BOOK, values).first() is not None:
        return BookingOutcome(booked=True, key_taken=False, property_found=True, claim_held=True)
    found = bool(connection.run(PROPERTY_EXISTS, values).scalar())
    return BookingOutcome(booked=False, key_taken=False, property_found=found, claim_held=True)
