"""The steps that derive the free gaps from the stays: migration 0005 runs them in order.

Named, so that the benchmarks build the same schema step by step and time each.
"""

from __future__ import annotations

from ota_adapters.postgres.free_gaps import (
    ASSIGN_CHUNKS,
    PROPERTY_TRIGGERS,
    UPKEEP_FUNCTIONS,
    fill_gaps,
)
from ota_adapters.postgres.gap_sync import reservation_triggers, sync_function
from ota_adapters.postgres.search_function import search_function


def derive_steps(*, holds: bool = True) -> tuple[tuple[str, str], ...]:
    """The steps; `holds=False` as 0005 ran them, before reservations had `expires_at`."""
    return (
        ("property.chunk", "ALTER TABLE property ADD COLUMN chunk integer"),
        ("assign chunks", ASSIGN_CHUNKS),
        ("property.chunk not null", "ALTER TABLE property ALTER COLUMN chunk SET NOT NULL"),
        (
            "B-tree (chunk, property_id)",
            "CREATE INDEX property_chunk_idx ON property (chunk, property_id)",
        ),
        (
            "create property_gap",
            "CREATE TABLE property_gap ("
            ' property_id text COLLATE "C" NOT NULL,'
            " chunk integer NOT NULL,"
            " gap daterange NOT NULL)",
        ),
        ("fill property_gap from the confirmed stays", fill_gaps(holds=holds)),
        (
            "property_gap keys",
            "ALTER TABLE property_gap"
            " ADD CONSTRAINT property_gap_pkey PRIMARY KEY (property_id, gap),"
            " ADD CONSTRAINT property_gap_property_id_fkey"
            "  FOREIGN KEY (property_id) REFERENCES property (property_id)",
        ),
        (
            "GiST (gap) INCLUDE (property_id)",
            "CREATE INDEX property_gap_gap_idx ON property_gap USING gist (gap)"
            " INCLUDE (property_id) WITH (buffering = on)",
        ),
        (
            "GiST (chunk, gap) INCLUDE (property_id)",
            "CREATE INDEX property_gap_chunk_idx ON property_gap USING gist (chunk, gap)"
            " INCLUDE (property_id) WITH (buffering = on)",
        ),
        ("upkeep functions", UPKEEP_FUNCTIONS + sync_function(holds=holds)),
        ("upkeep triggers", PROPERTY_TRIGGERS + reservation_triggers(holds=holds)),
        ("search function", search_function(holds=holds)),
    )


DERIVE_STEPS = derive_steps()

VACUUM_ANALYZE = "VACUUM (ANALYZE) property, reservation, property_gap"
"""Run outside a transaction once the steps are committed: index-only scans need the
visibility map set, and the planner the new table's statistics."""
