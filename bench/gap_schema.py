"""What the gap designs add: `property.chunk`, `property_gap`, its indexes, and its upkeep.

`property_gap` holds each property's free gaps: the complement of its confirmed
stays, with unbounded ends, so a property with no stay has one gap `(,)`. A
search for [start, end) looks for gaps that contain it: at most one per property.

`chunk` numbers buckets of about `chunk_size` consecutive properties in id
order: monotonic in `property_id`, so walking chunks in order walks ids in
order. Numbers are spaced `CHUNK_SPACING` apart so that a bucket grown too big
can be split by giving its upper half a number in between, moving no other
property. A property added later takes the chunk of the property before it.

Upkeep is `bench.gap_upkeep`'s trigger; the search function is `bench.gap_search`'s.
"""

from __future__ import annotations

from bench.gap_search import SEARCH_FUNCTION
from bench.gap_upkeep import upkeep
from bench.schema import Step

CHUNK_SPACING = 1024

# Buckets of `chunk_size` consecutive ids; only rows whose bucket changes are written.
ASSIGN_CHUNKS = f"""
UPDATE property p SET chunk = b.chunk
  FROM (SELECT property_id,
               ((row_number() OVER (ORDER BY property_id) - 1) / %(chunk_size)s)::int
                 * {CHUNK_SPACING} AS chunk
          FROM property) b
 WHERE p.property_id = b.property_id AND p.chunk IS DISTINCT FROM b.chunk
"""  # noqa: S608 -- a constant of this module, the size is a parameter

ADD_CHUNK = Step(
    "property.chunk: buckets of consecutive ids",
    "ALTER TABLE property ADD COLUMN chunk integer;"
    + ASSIGN_CHUNKS
    + ";ALTER TABLE property ALTER COLUMN chunk SET NOT NULL",
)

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

CREATE_GAPS = Step(
    "create property_gap",
    """
    DROP TABLE IF EXISTS property_gap;
    CREATE TABLE property_gap (
      property_id text COLLATE "C" NOT NULL,
      chunk integer NOT NULL,
      gap daterange NOT NULL)
    """,
)

# One ordered pass over the search B-tree: each gap ends where a stay starts
# (after the previous stay's end), plus each property's last, unbounded gap.
GAPS_FROM_STAYS = """
SELECT property_id, chunk, gap FROM (
  SELECT s.property_id, p.chunk, daterange(s.previous_end, s.start_date) AS gap
    FROM (SELECT property_id, start_date,
                 lag(end_date) OVER (PARTITION BY property_id ORDER BY start_date)
                   AS previous_end
            FROM reservation WHERE status = 'confirmed') s
    JOIN property p USING (property_id)
   WHERE s.previous_end IS NULL OR s.previous_end < s.start_date
  UNION ALL
  SELECT p.property_id, p.chunk,
         daterange((SELECT max(r.end_date) FROM reservation r
                     WHERE r.property_id = p.property_id AND r.status = 'confirmed'), NULL)
    FROM property p) g
"""

FILL_GAPS = Step(
    "fill property_gap from the confirmed stays",
    f"INSERT INTO property_gap (property_id, chunk, gap) {GAPS_FROM_STAYS}"
    " ORDER BY property_id, gap",
)

GAP_KEY = Step(
    "property_gap primary key (property_id, gap)",
    "ALTER TABLE property_gap ADD PRIMARY KEY (property_id, gap)",
)
# Built by insertion (buffering), not by sorting: a sorted build packs the gaps in
# (chunk, lower bound) order, so a search inside a chunk reads every page whose gaps
# start before the stay; inserted one by one, as bookings will anyway, pages group
# gaps by both bounds (a third of the pages read per chunk at 100k properties).
GAP_GIST = Step(
    "GiST (gap) INCLUDE (property_id)",
    "CREATE INDEX property_gap_gap_idx ON property_gap USING gist (gap) INCLUDE (property_id)"
    " WITH (buffering = on)",
)
CHUNK_GIST = Step(
    "GiST (chunk, gap) INCLUDE (property_id)",
    "CREATE INDEX property_gap_chunk_idx ON property_gap USING gist (chunk, gap)"
    " INCLUDE (property_id) WITH (buffering = on)",
)
VACUUM_GAPS = Step("vacuum analyze", "VACUUM (ANALYZE) property, property_gap")


def derive_steps(*, gist_on_gap: bool = True) -> list[Step]:
    """From the current schema's rows to the gap designs' tables and indexes, each timed."""
    steps = [ADD_CHUNK, CREATE_GAPS, FILL_GAPS, GAP_KEY, CHUNK_GIST]
    if gist_on_gap:
        steps.append(GAP_GIST)
    return [*steps, upkeep(trigger_locks=True), SEARCH_FUNCTION, VACUUM_GAPS]


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
