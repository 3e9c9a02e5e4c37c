"""What the gap designs add: `property.chunk`, `property_gap`, its indexes, and its upkeep.

`property_gap` holds each property's free gaps: the complement of its confirmed
stays, with unbounded ends, so a property with no stay has one gap `(,)`. A
search for [start, end) looks for gaps that contain it: at most one per property.

`chunk` numbers buckets of about `chunk_size` consecutive properties in id
order: monotonic in `property_id`, so walking chunks in order walks ids in
order. Numbers are spaced `CHUNK_SPACING` apart so that a bucket grown too big
can be split by giving its upper half a number in between, moving no other
property. A property added later takes the chunk of the property before it.

Upkeep is an AFTER trigger on `reservation`: it locks the property row (every
writer of a property's stays must take that lock first, in its own statement or
in a CTE the write depends on), then frees the old stay's nights and takes the
new stay's. Each of its statements gets a fresh snapshot, so it sees whatever
the previous holder of the lock committed.
"""

from __future__ import annotations

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
    Step("reindex the chunk GiST", "REINDEX INDEX property_gap_chunk_idx"),
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
GAP_GIST = Step(
    "GiST (gap) INCLUDE (property_id)",
    "CREATE INDEX property_gap_gap_idx ON property_gap USING gist (gap) INCLUDE (property_id)",
)
CHUNK_GIST = Step(
    "GiST (chunk, gap) INCLUDE (property_id)",
    "CREATE INDEX property_gap_chunk_idx ON property_gap USING gist (chunk, gap)"
    " INCLUDE (property_id)",
)
VACUUM_GAPS = Step("vacuum analyze", "VACUUM (ANALYZE) property, property_gap")

GAP_FUNCTIONS = """
CREATE OR REPLACE FUNCTION property_gap_take(p text, c integer, stay daterange)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  free daterange;
BEGIN
  -- Exactly one gap holds a stay the exclusion constraint accepted; more is an error too.
  DELETE FROM property_gap WHERE property_id = p AND gap @> stay RETURNING gap INTO free;
  IF free IS NULL THEN
    RAISE EXCEPTION 'no free gap of property % holds %', p, stay USING ERRCODE = 'data_exception';
  END IF;
  INSERT INTO property_gap (property_id, chunk, gap)
  SELECT p, c, piece
    FROM (VALUES (daterange(lower(free), lower(stay))),
                 (daterange(upper(stay), upper(free)))) AS v(piece)
   WHERE NOT isempty(piece);
END $$;

CREATE OR REPLACE FUNCTION property_gap_release(p text, c integer, stay daterange)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH neighbours AS (
    DELETE FROM property_gap WHERE property_id = p AND gap -|- stay RETURNING gap)
  INSERT INTO property_gap (property_id, chunk, gap)
  SELECT p, c, range_merge(range_agg(piece))
    FROM (SELECT gap FROM neighbours UNION ALL SELECT stay) AS s(piece);
END $$;
"""

SYNC_FUNCTION = """
CREATE OR REPLACE FUNCTION reservation_gap_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c integer;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.property_id <> OLD.property_id THEN
    RAISE EXCEPTION 'a stay does not move to another property';
  END IF;
  SELECT chunk INTO c FROM property
   WHERE property_id = coalesce(NEW.property_id, OLD.property_id) {lock};
  IF TG_OP <> 'INSERT' AND OLD.status = 'confirmed' THEN
    PERFORM property_gap_release(OLD.property_id, c, daterange(OLD.start_date, OLD.end_date));
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status = 'confirmed' THEN
    PERFORM property_gap_take(NEW.property_id, c, daterange(NEW.start_date, NEW.end_date));
  END IF;
  RETURN NULL;
END $$;
"""

TRIGGERS = """
DROP TRIGGER IF EXISTS reservation_gap_insert ON reservation;
DROP TRIGGER IF EXISTS reservation_gap_delete ON reservation;
DROP TRIGGER IF EXISTS reservation_gap_update ON reservation;
CREATE TRIGGER reservation_gap_insert AFTER INSERT ON reservation
  FOR EACH ROW WHEN (NEW.status = 'confirmed') EXECUTE FUNCTION reservation_gap_sync();
CREATE TRIGGER reservation_gap_delete AFTER DELETE ON reservation
  FOR EACH ROW WHEN (OLD.status = 'confirmed') EXECUTE FUNCTION reservation_gap_sync();
CREATE TRIGGER reservation_gap_update
  AFTER UPDATE OF status, start_date, number_of_nights ON reservation FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.start_date <> NEW.start_date
        OR OLD.number_of_nights <> NEW.number_of_nights)
  EXECUTE FUNCTION reservation_gap_sync();

CREATE OR REPLACE FUNCTION property_gap_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO property_gap (property_id, chunk, gap) VALUES (NEW.property_id, NEW.chunk, '(,)');
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS property_gap_open ON property;
CREATE TRIGGER property_gap_open AFTER INSERT ON property
  FOR EACH ROW EXECUTE FUNCTION property_gap_open();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS reservation_gap_insert ON reservation;
DROP TRIGGER IF EXISTS reservation_gap_delete ON reservation;
DROP TRIGGER IF EXISTS reservation_gap_update ON reservation;
DROP TRIGGER IF EXISTS property_gap_open ON property
"""


def upkeep(*, trigger_locks: bool) -> Step:
    """The functions and triggers; `trigger_locks=False` leaves the lock to the callers alone."""
    lock = "FOR NO KEY UPDATE" if trigger_locks else ""
    return Step(
        f"upkeep triggers ({'locking' if trigger_locks else 'not locking'})",
        GAP_FUNCTIONS + SYNC_FUNCTION.replace("{lock}", lock) + TRIGGERS,
    )


def derive_steps(*, gist_on_gap: bool = True) -> list[Step]:
    """From the current schema's rows to the gap designs' tables and indexes, each timed."""
    steps = [ADD_CHUNK, CREATE_GAPS, FILL_GAPS, GAP_KEY, CHUNK_GIST]
    if gist_on_gap:
        steps.append(GAP_GIST)
    return [*steps, upkeep(trigger_locks=True), VACUUM_GAPS]


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
