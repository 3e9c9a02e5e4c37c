"""Holds: reservations with an expiry, found by their own small index.

The search index is built again with `expires_at` included, so a search tells a
live hold from an expired one without reading the table. Building an index locks
out writes for as long as it takes; on a large table build the new one
CONCURRENTLY first, out of the migration's transaction (ADR 0024).

The free gaps (0005) take holds into account: a hold takes no gap, so the
triggers and their function are built again to move only stays without an
expiry in and out of the gaps (every row is one when the column is added: the
gaps stay as they are), and the search function takes the application's clock
to leave out properties with a live hold.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

from ota_adapters.postgres.gap_sync import (
    DROP_RESERVATION_TRIGGERS,
    reservation_triggers,
    sync_function,
)
from ota_adapters.postgres.schema import CONFIRMED_ONLY, HOLDS_ONLY
from ota_adapters.postgres.search_function import (
    DROP_SEARCH_FUNCTION,
    DROP_SEARCH_FUNCTION_BEFORE_HOLDS,
    search_function,
)

revision = "0006"
down_revision = "0005"
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
    _upkeep(holds=True)
    op.execute(DROP_SEARCH_FUNCTION_BEFORE_HOLDS)
    op.execute(search_function(holds=True))


def _upkeep(*, holds: bool) -> None:
    op.execute(sync_function(holds=holds))
    op.execute(DROP_RESERVATION_TRIGGERS)
    op.execute(reservation_triggers(holds=holds))


def downgrade() -> None:
    """Holds go: the schema before them has no way to let them expire."""
    op.execute("DELETE FROM reservation WHERE expires_at IS NOT NULL")
    op.execute(DROP_SEARCH_FUNCTION)
    op.execute(search_function(holds=False))
    _upkeep(holds=False)
    op.execute("DROP INDEX reservation_hold_idx")
    op.execute("DROP INDEX reservation_search_idx")
    op.execute("ALTER TABLE reservation DROP COLUMN expires_at")
    op.execute(
        "CREATE INDEX reservation_search_idx ON reservation (property_id, start_date)"
        f" INCLUDE (end_date) WHERE {CONFIRMED_ONLY}"
    )
