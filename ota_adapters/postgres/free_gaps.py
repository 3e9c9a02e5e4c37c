"""`property_gap`: each property's free gaps, kept by triggers in the stay's own transaction.

A property's gaps are the complement of its confirmed stays, with unbounded
ends: a property with no stay has one gap `(,)`. A search for [start, end)
looks for a gap that contains it, at most one per property (ADR 0022).

`property.chunk` numbers buckets of about `CHUNK_SIZE` consecutive properties in
id order, never decreasing with the id, so a walk of the chunks in order walks
the ids in order. Numbers are `CHUNK_SPACING` apart, so that a bucket grown too
big can be split by numbering its upper half in between, moving no other
property. A property added later takes the chunk of the property before it; a
chunk that grows to twice `CHUNK_SIZE` is split so.

A hold (`expires_at` set) takes no gap: it takes nights only until it expires,
and the search tests live holds apart (`search_function`). Only a confirmed
stay without an expiry is a stay here, on both sides of an update, so the
deletion of an expired hold releases nothing and its confirmation takes its gap.

The SQL lives here for the migrations to run: 0005 built it before holds existed
(`holds=False`), 0006 rebuilt the upkeep with them.
"""

from __future__ import annotations

from ota_adapters.postgres.gap_sync import takes_gap

CHUNK_SIZE = 1000
CHUNK_SPACING = 1024

# Only rows whose bucket changes are written.
ASSIGN_CHUNKS = f"""
UPDATE property p SET chunk = b.chunk
  FROM (SELECT property_id,
               ((row_number() OVER (ORDER BY property_id) - 1) / {CHUNK_SIZE})::int
                 * {CHUNK_SPACING} AS chunk
          FROM property) b
 WHERE p.property_id = b.property_id AND p.chunk IS DISTINCT FROM b.chunk
"""  # noqa: S608 -- module constants


# One ordered pass over the confirmed stays: a gap ends where a stay starts, after
# the end of the stay before it (none before the first: an unbounded start); then
# each property's last gap, from its last stay's end (none: `(,)`) on, unbounded.
def gaps_from_stays(*, holds: bool = True) -> str:
    return f"""
SELECT s.property_id, p.chunk, daterange(s.previous_end, s.start_date) AS gap
  FROM (SELECT property_id, start_date,
               lag(end_date) OVER (PARTITION BY property_id ORDER BY start_date)
                 AS previous_end
          FROM reservation WHERE {takes_gap("reservation", holds=holds)}) s
  JOIN property p USING (property_id)
 WHERE s.previous_end IS NULL OR s.previous_end < s.start_date
UNION ALL
SELECT p.property_id, p.chunk,
       daterange((SELECT max(r.end_date) FROM reservation r
                   WHERE r.property_id = p.property_id AND {takes_gap("r", holds=holds)}), NULL)
  FROM property p
"""  # noqa: S608 -- built of constants


GAPS_FROM_STAYS = gaps_from_stays()


def fill_gaps(*, holds: bool = True) -> str:
    return f"""
INSERT INTO property_gap (property_id, chunk, gap)
SELECT property_id, chunk, gap FROM ({gaps_from_stays(holds=holds)}) g ORDER BY property_id, gap
"""  # noqa: S608 -- built of constants


# VOLATILE (the default, said out loud): each statement of a volatile PL/pgSQL function
# takes a fresh snapshot under READ COMMITTED, so once the trigger holds the property's
# row lock it reads the gaps as the previous holder committed them, though the statement
# that fired it began earlier.
UPKEEP_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION property_gap_take(p text, c integer, stay daterange)
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  free daterange;
BEGIN
  -- Exactly one gap holds a stay the exclusion constraint accepted (INTO fails on two).
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
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  WITH neighbours AS (
    DELETE FROM property_gap WHERE property_id = p AND gap -|- stay RETURNING gap)
  INSERT INTO property_gap (property_id, chunk, gap)
  SELECT p, c, range_merge(range_agg(piece))
    FROM (SELECT gap FROM neighbours UNION ALL SELECT stay) AS s(piece);
END $$;

CREATE OR REPLACE FUNCTION property_chunk() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  c integer;
  upper_half text;
  middle integer;
BEGIN
  -- One new property at a time, each seeing the ones before it committed, so that
  -- chunks never decrease with the id however many are added at once.
  PERFORM pg_advisory_xact_lock(7060504031);
  c := coalesce(
    (SELECT chunk FROM property WHERE property_id < NEW.property_id
      ORDER BY property_id DESC LIMIT 1),
    (SELECT chunk FROM property ORDER BY property_id LIMIT 1),
    0);
  -- A chunk grown to twice its size: its upper half takes a number between its own
  -- and the next chunk's, when one is left. Its properties wait for their bookings.
  IF EXISTS (SELECT FROM property WHERE chunk = c
              ORDER BY property_id OFFSET 2 * {CHUNK_SIZE} - 1) THEN
    SELECT property_id INTO upper_half FROM property WHERE chunk = c
     ORDER BY property_id OFFSET {CHUNK_SIZE} LIMIT 1;
    middle := coalesce((c + (SELECT min(chunk) FROM property WHERE chunk > c)) / 2,
                       c + {CHUNK_SPACING});
    IF middle > c THEN
      UPDATE property SET chunk = middle WHERE chunk = c AND property_id >= upper_half;
      UPDATE property_gap SET chunk = middle WHERE chunk = c AND property_id >= upper_half;
      IF NEW.property_id >= upper_half THEN
        c := middle;
      END IF;
    END IF;
  END IF;
  NEW.chunk := c;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION property_gap_open() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  INSERT INTO property_gap (property_id, chunk, gap) VALUES (NEW.property_id, NEW.chunk, '(,)');
  RETURN NULL;
END $$;
"""  # noqa: S608 -- module constants

PROPERTY_TRIGGERS = """
CREATE TRIGGER property_chunk BEFORE INSERT ON property
  FOR EACH ROW EXECUTE FUNCTION property_chunk();
CREATE TRIGGER property_gap_open AFTER INSERT ON property
  FOR EACH ROW EXECUTE FUNCTION property_gap_open();
"""

DROP_UPKEEP = """
DROP TRIGGER property_gap_open ON property;
DROP TRIGGER property_chunk ON property;
DROP TRIGGER reservation_gap_update ON reservation;
DROP TRIGGER reservation_gap_delete ON reservation;
DROP TRIGGER reservation_gap_insert ON reservation;
DROP FUNCTION property_gap_open();
DROP FUNCTION property_chunk();
DROP FUNCTION reservation_gap_sync();
DROP FUNCTION property_gap_release(text, integer, daterange);
DROP FUNCTION property_gap_take(text, integer, daterange)
"""
