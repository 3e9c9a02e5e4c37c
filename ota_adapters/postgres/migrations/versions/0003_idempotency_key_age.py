"""Idempotency keys are found by age, to forget those past their retention.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX idempotency_key_created_at_idx ON idempotency_key (created_at)")


def downgrade() -> None:
    op.execute("DROP INDEX idempotency_key_created_at_idx")
