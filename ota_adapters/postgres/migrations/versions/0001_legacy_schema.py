"""The legacy schema, as the starter database had it: reservations without ids.

A legacy database already has these tables (and no Alembic version): then this
revision changes nothing and only records that the database starts here. An
empty database gets them, so both take the same path to the current schema.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE TABLE IF NOT EXISTS property (property_id text PRIMARY KEY, description text)"
    )
    op.execute(
        "CREATE TABLE IF NOT EXISTS reservation ("
        " property_id text REFERENCES property, start_date date, number_of_nights integer)"
    )


def downgrade() -> None:
    op.execute("DROP TABLE reservation")
    op.execute("DROP TABLE property")
