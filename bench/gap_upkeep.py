"""Keeping `property_gap` exact: an AFTER trigger on `reservation` (and one on `property`).

The trigger locks the property row (every writer of a property's stays must
take that lock first, in its own statement or in a CTE the write depends on),
then frees the old stay's nights and takes the new stay's. Each statement of a
PL/pgSQL function gets a fresh snapshot under READ COMMITTED, so it sees
whatever the previous holder of the lock committed: the statement that fired
the trigger, whose snapshot is older, does not have to.
"""

from __future__ import annotations

from bench.schema import Step

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
