"""Reservations get ids, a status and a database-enforced ban on overlaps.

Every legacy row gets the id `ota_adapters.ids.legacy_reservation_id` gives it
(a name-based UUIDv8 of its property, start and nights, computed in SQL). Rows the new
constraints cannot hold (overlaps, nights outside 1..LONGEST_STAY_NIGHTS, unknown
properties, missing values) stop the migration with a report naming them;
it runs in one transaction, so then nothing changes.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ota_adapters.postgres.legacy_checks import check_legacy_rows
from ota_adapters.postgres.legacy_ids import LEGACY_ID_FUNCTION
from ota_adapters.postgres.schema import CONFIRMED_ONLY
from ota_core.policy import LONGEST_STAY_NIGHTS

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("LOCK TABLE property, reservation IN ACCESS EXCLUSIVE MODE")
    check_legacy_rows(op.get_bind())
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    _drop_foreign_keys_of_reservation()
    op.execute(
        'ALTER TABLE property ALTER COLUMN property_id TYPE text COLLATE "C",'
        " ALTER COLUMN description SET NOT NULL"
    )
    op.execute(
        'ALTER TABLE reservation ALTER COLUMN property_id TYPE text COLLATE "C",'
        " ALTER COLUMN property_id SET NOT NULL,"
        " ALTER COLUMN start_date SET NOT NULL,"
        " ALTER COLUMN number_of_nights SET NOT NULL,"
        " ADD COLUMN reservation_id uuid"
    )
    _backfill_legacy_ids()
    op.execute(
        "ALTER TABLE reservation ALTER COLUMN reservation_id SET NOT NULL,"
        " ADD COLUMN end_date date GENERATED ALWAYS AS (start_date + number_of_nights) STORED,"
        " ADD COLUMN status text NOT NULL DEFAULT 'confirmed',"
        " ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),"
        " ADD CONSTRAINT reservation_pkey PRIMARY KEY (reservation_id),"
        " ADD CONSTRAINT reservation_property_id_fkey"
        "  FOREIGN KEY (property_id) REFERENCES property (property_id),"
        " ADD CONSTRAINT reservation_nights_check"
        f"  CHECK (number_of_nights BETWEEN 1 AND {LONGEST_STAY_NIGHTS}),"
        " ADD CONSTRAINT reservation_status_check CHECK (status IN ('confirmed', 'cancelled')),"
        " ADD CONSTRAINT reservation_no_overlap EXCLUDE USING gist"
        "  (property_id WITH =, daterange(start_date, end_date) WITH &&)"
        f"  WHERE ({CONFIRMED_ONLY})"
    )
    op.execute(
        "CREATE INDEX reservation_search_idx ON reservation (property_id, start_date)"
        f" INCLUDE (end_date) WHERE {CONFIRMED_ONLY}"
    )
    op.execute(
        "CREATE TABLE idempotency_key ("
        " key text CONSTRAINT idempotency_key_pkey PRIMARY KEY,"
        " fingerprint text NOT NULL,"
        " reservation_id uuid NOT NULL CONSTRAINT idempotency_key_reservation_id_fkey"
        "  REFERENCES reservation (reservation_id) DEFERRABLE INITIALLY DEFERRED,"
        " created_at timestamptz NOT NULL DEFAULT now())"
    )


def downgrade() -> None:
    """Back to the legacy shape. Cancelled reservations are deleted: it cannot hold them."""
    op.execute("DROP TABLE idempotency_key")
    op.execute("DELETE FROM reservation WHERE status = 'cancelled'")
    op.execute("DROP INDEX reservation_search_idx")
    op.execute(
        "ALTER TABLE reservation DROP CONSTRAINT reservation_no_overlap,"
        " DROP CONSTRAINT reservation_status_check,"
        " DROP CONSTRAINT reservation_nights_check,"
        " DROP CONSTRAINT reservation_property_id_fkey,"
        " DROP CONSTRAINT reservation_pkey,"
        " DROP COLUMN created_at, DROP COLUMN status, DROP COLUMN end_date,"
        " DROP COLUMN reservation_id,"
        " ALTER COLUMN number_of_nights DROP NOT NULL,"
        " ALTER COLUMN start_date DROP NOT NULL,"
        " ALTER COLUMN property_id DROP NOT NULL,"
        ' ALTER COLUMN property_id TYPE text COLLATE "default"'
    )
    op.execute(
        'ALTER TABLE property ALTER COLUMN property_id TYPE text COLLATE "default",'
        " ALTER COLUMN description DROP NOT NULL"
    )
    op.execute(
        "ALTER TABLE reservation ADD CONSTRAINT reservation_property_id_fkey"
        " FOREIGN KEY (property_id) REFERENCES property (property_id)"
    )


def _drop_foreign_keys_of_reservation() -> None:
    # The legacy key may carry any name; it comes back with a known one.
    names = op.get_bind().execute(
        sa.text(
            "SELECT conname FROM pg_constraint"
            " WHERE conrelid = 'reservation'::regclass AND contype = 'f'"
        )
    )
    for (name,) in names.all():
        op.execute(f"ALTER TABLE reservation DROP CONSTRAINT {_quoted(name)}")


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _backfill_legacy_ids() -> None:
    op.execute(LEGACY_ID_FUNCTION)
    op.execute(
        "UPDATE reservation SET reservation_id ="
        " pg_temp.ota_legacy_reservation_id(property_id, start_date, number_of_nights)"
    )
