"""The lab's tools around the free gaps the product keeps (migration 0005, `free_gaps`).

The schema itself (`property.chunk`, `property_gap`, its GiSTs, the triggers, the
search function) is the product's, built by `bench.schema.free_gap_steps`. What
stays here measures or checks it: chunks drawn anew at another size (`RECHUNK`),
and the gaps of given properties compared with a recomputation (`DRIFT`) or
recomputed (`REPAIR`).
"""

from __future__ import annotations

from bench.schema import Step
from ota_adapters.postgres.free_gaps import CHUNK_SPACING, GAPS_FROM_STAYS

# Buckets of `chunk_size` consecutive ids; only rows whose bucket changes are written.
ASSIGN_CHUNKS = f"""
UPDATE property p SET chunk = b.chunk
  FROM (SELECT property_id,
               ((row_number() OVER (ORDER BY property_id) - 1) / %(chunk_size)s)::int
                 * {CHUNK_SPACING} AS chunk
          FROM property) b
 WHERE p.property_id = b.property_id AND p.chunk IS DISTINCT FROM b.chunk
"""  # noqa: S608 -- a constant of this module, the size is a parameter

# Every bucket drawn anew (a rebalance of all chunks at once); the gaps follow their property.
RECHUNK = [
    Step("reassign property.chunk", ASSIGN_CHUNKS),
    Step(
        "copy chunks to property_gap",
        "UPDATE property_gap g SET chunk = p.chunk FROM property p"
        " WHERE g.property_id = p.property_id AND g.chunk <> p.chunk",
    ),
    Step("reindex the chunk GiST", "REINDEX INDEX property_gap_chunk_idx"),  # keeps buffering
]

VACUUM_GAPS = Step("vacuum analyze", "VACUUM (ANALYZE) property, property_gap")

# The given properties' gaps recomputed from their stays, against what upkeep left:
# how many rows differ. And the repair: their gaps recomputed.
DRIFT = f"""
WITH fresh AS (SELECT * FROM ({GAPS_FROM_STAYS}) g WHERE property_id = ANY(%(ids)s)),
kept AS (SELECT property_id, chunk, gap FROM property_gap WHERE property_id = ANY(%(ids)s))
SELECT count(*) FROM ((TABLE fresh EXCEPT ALL TABLE kept)
                      UNION ALL (TABLE kept EXCEPT ALL TABLE fresh)) d
"""  # noqa: S608 -- constants of this module

REPAIR = f"""
DELETE FROM property_gap WHERE property_id = ANY(%(ids)s);
INSERT INTO property_gap (property_id, chunk, gap)
SELECT * FROM ({GAPS_FROM_STAYS}) g WHERE property_id = ANY(%(ids)s)
"""  # noqa: S608 -- constants of this module
