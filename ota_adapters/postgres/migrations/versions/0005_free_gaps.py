"""Search bounded by its page: each property's free gaps, kept by triggers, and the search function.

Properties get their chunk (buckets of consecutive ids); `property_gap` is filled
from the confirmed stays in one set-based pass, its indexes are built after the
fill, then the triggers that keep it exact and `free_properties()` are created
(ADR 0022). Last, the tables are vacuumed and analyzed outside the transaction, so
the service's first searches find the visibility map set (index-only scans) and
statistics for the new table.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

from ota_adapters.postgres.free_gap_steps import VACUUM_ANALYZE, derive_steps
from ota_adapters.postgres.free_gaps import DROP_UPKEEP
from ota_adapters.postgres.search_function import DROP_SEARCH_FUNCTION_BEFORE_HOLDS

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No stay may change between the fill and the triggers (a release still serving
    # writes without them): writers wait; readers of the stays do not.
    op.execute("LOCK TABLE property, reservation IN EXCLUSIVE MODE")
    # As before holds: reservations have no `expires_at` yet (0006 adds it).
    for _name, statement in derive_steps(holds=False):
        op.execute(statement)
    # VACUUM cannot run in a transaction: what came before is committed here.
    with op.get_context().autocommit_block():
        op.execute(VACUUM_ANALYZE)


def downgrade() -> None:
    op.execute(DROP_SEARCH_FUNCTION_BEFORE_HOLDS)
    op.execute(DROP_UPKEEP)
    op.execute("DROP TABLE property_gap")
    op.execute("ALTER TABLE property DROP COLUMN chunk")
