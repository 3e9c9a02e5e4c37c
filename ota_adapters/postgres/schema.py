"""The tables as SQLAlchemy Core objects, and the bound every stored stay respects.

The migrations build this schema (a test compares the two). Queries are built
from these objects and rows become domain objects by hand in `repositories`:
nothing from here crosses a port.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ota_core import LONGEST_STAY_NIGHTS

CONFIRMED_ONLY = "status = 'confirmed'"
"""The predicate of the exclusion constraint and of the search index.

A partial index serves a query only when the query states its predicate, so
queries use this literal too, never a parameter.
"""

HOLDS_ONLY = "expires_at IS NOT NULL"
"""The predicate of the holds' index: every hold, live, expired or released."""

NO_OVERLAP = "reservation_no_overlap"
"""The exclusion constraint: no two confirmed stays of one property share a night."""

# Ids order by code point, as Python orders them: "C" collation, not the server's locale.
_PROPERTY_ID = sa.Text(collation="C")

metadata = sa.MetaData()

property_table = sa.Table(
    "property",
    metadata,
    sa.Column("property_id", _PROPERTY_ID),
    sa.Column("description", sa.Text, nullable=False),
    # Buckets of consecutive ids, set by a trigger on insert (`free_gaps`).
    sa.Column("chunk", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("property_id", name="property_pkey"),
    # A chunk's size and its successor, read when a property is added (to split it).
    sa.Index("property_chunk_idx", "chunk", "property_id"),
)

reservation_table = sa.Table(
    "reservation",
    metadata,
    # The legacy columns come first: the migration adds the others to the legacy table.
    sa.Column("property_id", _PROPERTY_ID, nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("number_of_nights", sa.Integer, nullable=False),
    sa.Column("reservation_id", sa.Uuid, nullable=False),
    sa.Column("end_date", sa.Date, sa.Computed("start_date + number_of_nights", persisted=True)),
    sa.Column("status", sa.Text, nullable=False, server_default="confirmed"),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    # Who booked it; NULL for legacy reservations, which nobody reaches through the API.
    sa.Column("owner", sa.Uuid),
    # A hold's end; NULL for a booking. The exclusion constraint covers holds too, expired
    # or not: a write over an expired hold's nights deletes it first (`holds`).
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("reservation_id", name="reservation_pkey"),
    sa.ForeignKeyConstraint(
        ["property_id"], ["property.property_id"], name="reservation_property_id_fkey"
    ),
    # Search's look-back relies on it (`LONGEST_STAY_NIGHTS`).
    sa.CheckConstraint(
        f"number_of_nights BETWEEN 1 AND {LONGEST_STAY_NIGHTS}", name="reservation_nights_check"
    ),
    sa.CheckConstraint("status IN ('confirmed', 'cancelled')", name="reservation_status_check"),
    postgresql.ExcludeConstraint(
        ("property_id", "="),
        (sa.func.daterange(sa.column("start_date"), sa.column("end_date")), "&&"),
        using="gist",
        where=sa.text(CONFIRMED_ONLY),
        name=NO_OVERLAP,
    ),
    # `expires_at` included: a search tells live holds from expired ones in the index.
    sa.Index(
        "reservation_search_idx",
        "property_id",
        "start_date",
        postgresql_include=["end_date", "expires_at"],
        postgresql_where=sa.text(CONFIRMED_ONLY),
    ),
    # A principal's list, in its order (keyset pages); legacy rows are not in it.
    sa.Index(
        "reservation_owner_idx",
        "owner",
        "start_date",
        "reservation_id",
        postgresql_where=sa.text("owner IS NOT NULL"),
    ),
    # Holds are few: the expired ones in a write's way, or all of them, are found here.
    sa.Index(
        "reservation_hold_idx",
        "property_id",
        "start_date",
        postgresql_include=["end_date", "expires_at"],
        postgresql_where=sa.text(HOLDS_ONLY),
    ),
)

idempotency_key_table = sa.Table(
    "idempotency_key",
    metadata,
    sa.Column("key", sa.Text),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("reservation_id", sa.Uuid, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    # Keys are each principal's own.
    sa.Column("principal", sa.Uuid, nullable=False),
    sa.PrimaryKeyConstraint("principal", "key", name="idempotency_key_pkey"),
    # Deferred: a use case claims its key before it inserts the reservation.
    sa.ForeignKeyConstraint(
        ["reservation_id"],
        ["reservation.reservation_id"],
        name="idempotency_key_reservation_id_fkey",
        deferrable=True,
        initially="DEFERRED",
    ),
    # Forgetting keys past their retention reads them oldest first.
    sa.Index("idempotency_key_created_at_idx", "created_at"),
)

# Each property's free gaps, the complement of its confirmed stays, kept by triggers
# in the transaction of every change of a stay (`free_gaps`, ADR 0022).
property_gap_table = sa.Table(
    "property_gap",
    metadata,
    sa.Column("property_id", _PROPERTY_ID, nullable=False),
    sa.Column("chunk", sa.Integer, nullable=False),
    sa.Column("gap", postgresql.DATERANGE, nullable=False),
    sa.PrimaryKeyConstraint("property_id", "gap", name="property_gap_pkey"),
    sa.ForeignKeyConstraint(
        ["property_id"], ["property.property_id"], name="property_gap_property_id_fkey"
    ),
    # Built by insertion (buffering), not by sorting: pages then group gaps by both
    # bounds, as later bookings would, rather than by their start alone.
    sa.Index(
        "property_gap_gap_idx",
        "gap",
        postgresql_using="gist",
        postgresql_include=["property_id"],
        postgresql_with={"buffering": "on"},
    ),
    sa.Index(
        "property_gap_chunk_idx",
        "chunk",
        "gap",
        postgresql_using="gist",
        postgresql_include=["property_id"],
        postgresql_with={"buffering": "on"},
    ),
)
