"""Holds: reservations with an expiry, found by their own small index.

The search index is built again with `expires_at` included, so a search tells a
live hold from an expired one without reading the table. Building an index locks
out writes for as long as it takes; on a large table build the new one
CONCURRENTLY first, out of the migration's transaction (ADR 0024).

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

from alembic import op

from ota_adapters.postgres.schema import CONFIRMED_ONLY, HOLDS_ONLY

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE reservation ADD COLUMN expires_at timestamptz")
    op.execute("DROP INDEX reservation_search_idx")
    op.execute(
        "CREATE INDEX reservation_search_idx ON reservation (property_id, start_date)"
        f" INCLUDE (end_date, expires_at) WHERE {CONFIRMED_ONLY}"
    )
    op.execute(
        "CREATE INDEX reservation_hold_idx ON reservation (property_id, start_date)"
        f" INCLUDE (end_date, expires_at) WHERE {HOLDS_ONLY}"
    )


def downgrade() -> None:
    """Holds go: the schema before them has no way to let them expire."""
    op.execute("DELETE FROM reservation WHERE expires_at IS NOT NULL")
    op.execute("DROP INDEX reservation_hold_idx")
    op.execute("DROP INDEX reservation_search_idx")
    op.execute("ALTER TABLE reservation DROP COLUMN expires_at")
    op.execute(
        "CREATE INDEX reservation_search_idx ON reservation (property_id, start_date)"
        f" INCLUDE (end_date) WHERE {CONFIRMED_ONLY}"
    )
