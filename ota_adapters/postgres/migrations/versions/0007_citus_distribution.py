"""On a Citus coordinator, property and reservation are distributed by property_id.

Colocated, with the keys Citus requires, and idempotency keys distributed by key
(`ota_adapters.postgres.citus`, ADR 0012). On one PostgreSQL this changes nothing.

Revision ID: 0007
Revises: 0004
"""

from __future__ import annotations

from alembic import op

from ota_adapters.postgres.citus import distribute

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    distribute(op.get_bind())


def downgrade() -> None:
    # Undistributing (`undistribute_table`) would gather every shard onto the
    # coordinator: a data move to plan, not a schema step to take in passing.
    pass
