"""Reservations and idempotency keys belong to a principal.

`reservation.owner` is added without a default, which changes only the catalog:
the table, however large, is not rewritten, and existing rows read as NULL (legacy
reservations, which no principal owns). The ALTERs take their table's ACCESS
EXCLUSIVE lock for an instant, but waiting for it would queue every query of the
table behind them: `lock_timeout` makes them fail fast instead, and the migration
is run again later.

Idempotency keys become (principal, key). The records kept so far have no principal
and are deleted: keys live for a day (`ota forget-idempotency-keys`), and a request
retried with a forgotten key books anew, as after its retention.

The index of a principal's list is built CONCURRENTLY, outside a transaction, so
bookings go on meanwhile: the revisions before it are committed when it starts.
Each step may run again, so a build that failed (and left an invalid index) is
retried by migrating again.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute("ALTER TABLE reservation ADD COLUMN IF NOT EXISTS owner uuid")
    op.execute("ALTER TABLE idempotency_key ADD COLUMN IF NOT EXISTS principal uuid")
    op.execute("DELETE FROM idempotency_key WHERE principal IS NULL")
    op.execute(
        "ALTER TABLE idempotency_key ALTER COLUMN principal SET NOT NULL,"
        " DROP CONSTRAINT idempotency_key_pkey,"
        " ADD CONSTRAINT idempotency_key_pkey PRIMARY KEY (principal, key)"
    )
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS reservation_owner_idx")
        op.execute(
            "CREATE INDEX CONCURRENTLY reservation_owner_idx"
            " ON reservation (owner, start_date, reservation_id) WHERE owner IS NOT NULL"
        )


def downgrade() -> None:
    """Keys become global again: the records of every principal are deleted."""
    op.execute("DROP INDEX reservation_owner_idx")
    op.execute("DELETE FROM idempotency_key")
    op.execute(
        "ALTER TABLE idempotency_key DROP CONSTRAINT idempotency_key_pkey,"
        " DROP COLUMN principal,"
        " ADD CONSTRAINT idempotency_key_pkey PRIMARY KEY (key)"
    )
    op.execute("ALTER TABLE reservation DROP COLUMN owner")
