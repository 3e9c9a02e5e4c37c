"""Search as a PL/pgSQL function: one page of free properties in three bounded stages.

1. Probe the first `budget` properties after the cursor, one probe of the stays'
   B-tree each: where most properties are free, the page fills here.
2. If none of them was free, matches may be sparse: read at most `cap` gaps
   holding the stay, in the whole catalogue, from the GiST on `gap`, in no order
   (the GiST cannot skip the ids before the cursor). Fewer than `cap` are all the
   matches there are: those after the last probed property, sorted, are the page.
3. Otherwise matches are dense: one nearest-neighbour scan of the (chunk, gap)
   GiST from the first unprobed property's chunk on, sorted by id within each
   chunk, which stops once the page is full.

With holds (migration 0006), `at_time` is the application's clock: the probes of
stage 1 pass over expired holds in the stays' index (it includes `expires_at`),
and stages 2 and 3, whose gaps ignore holds, leave out a property with a live
hold overlapping the stay by one probe of the holds' partial index, before their
LIMIT: a stage keeps reading until the page is full or its bound is reached.

So a page costs at most `budget` probes, `cap` index tuples, and the chunks it
crosses; never one probe per property of the catalogue (ADR 0022). Each stage is
a plain statement whose plan PL/pgSQL caches per session. The caller orders the
rows (`ORDER BY property_id`) rather than rely on the function's order.
"""

from __future__ import annotations

from ota_core import LONGEST_STAY_NIGHTS

PROBE_BUDGET = 400
SPARSE_CAP = 500


def _no_live_hold(property_id: str) -> str:
    """No hold of `property_id` live at `at_time` overlaps the stay: the holds' index only."""
    return f"""NOT EXISTS (
       SELECT 1 FROM reservation h
        WHERE h.property_id = {property_id} AND h.expires_at IS NOT NULL
          AND h.expires_at > at_time AND h.status = 'confirmed'
          AND h.start_date < stay_end
          AND h.start_date > stay_start - {LONGEST_STAY_NIGHTS}
          AND h.end_date > stay_start
        OFFSET 0)"""  # noqa: S608 -- constants


def search_function(*, holds: bool = True) -> str:
    """The function's definition; before holds (0005) it had no `at_time`."""
    at_time = " at_time timestamptz," if holds else ""
    live = " AND (r.expires_at IS NULL OR r.expires_at > at_time)" if holds else ""
    sparse_hold = f" AND {_no_live_hold('s.id')}" if holds else ""
    dense_hold = f"AND {_no_live_hold('g.property_id')}" if holds else ""
    # STABLE: every statement reads the snapshot of the query that called it.
    # Generic plans: replanning each call for its dates costs more than it saves.
    return f"""
CREATE OR REPLACE FUNCTION free_properties(
  stay_start date, stay_end date, after_id text, page_size integer,{at_time}
  budget integer DEFAULT {PROBE_BUDGET}, cap integer DEFAULT {SPARSE_CAP})
RETURNS TABLE (property_id text, description text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
  stay daterange := daterange(stay_start, stay_end);
  -- Ids compare by code point, as the column does, whatever the database's locale.
  cursor_id text COLLATE "C" := coalesce(after_id, '');  -- none: from the first id on
  found integer;
  probed integer;
  last_probed text COLLATE "C";
  sparse text[] COLLATE "C";
  first_chunk integer;
BEGIN
  RETURN QUERY
    SELECT p.property_id, p.description
      FROM (SELECT property_id, description FROM property
             WHERE property_id > cursor_id ORDER BY property_id LIMIT budget) p
     WHERE NOT EXISTS (
       SELECT 1 FROM reservation r
        WHERE r.property_id = p.property_id AND r.status = 'confirmed'
          AND r.start_date < stay_end
          AND r.start_date > stay_start - {LONGEST_STAY_NIGHTS}
          AND r.end_date > stay_start{live}
        OFFSET 0)  -- a probe per property, never an anti-join (ADR 0004)
     ORDER BY p.property_id LIMIT page_size;
  GET DIAGNOSTICS found = ROW_COUNT;
  IF found = page_size THEN
    RETURN;
  END IF;
  SELECT max(b.property_id), count(*) INTO last_probed, probed
    FROM (SELECT property_id FROM property
           WHERE property_id > cursor_id ORDER BY property_id LIMIT budget) b;
  IF probed < budget THEN
    RETURN;  -- the catalogue ended within the budget
  END IF;
  IF found = 0 THEN
    SELECT array_agg(m.property_id) INTO sparse
      FROM (SELECT g.property_id FROM property_gap g WHERE g.gap @> stay LIMIT cap) m;
    IF coalesce(cardinality(sparse), 0) < cap THEN  -- all the matches there are
      RETURN QUERY
        SELECT s.id, (SELECT p.description FROM property p WHERE p.property_id = s.id)
          FROM unnest(sparse) AS s(id) WHERE s.id COLLATE "C" > last_probed{sparse_hold}
         ORDER BY s.id COLLATE "C" LIMIT page_size;
      RETURN;
    END IF;
  END IF;
  SELECT chunk INTO first_chunk FROM property
   WHERE property_id > last_probed ORDER BY property_id LIMIT 1;
  RETURN QUERY
    SELECT f.property_id,
           (SELECT p.description FROM property p WHERE p.property_id = f.property_id)
      FROM (SELECT g.property_id FROM property_gap g
             WHERE g.chunk >= first_chunk AND g.gap @> stay AND g.property_id > last_probed
               {dense_hold}
             ORDER BY g.chunk <-> first_chunk, g.property_id LIMIT page_size - found) f;
END $$
"""  # noqa: S608 -- constants


SEARCH_FUNCTION = search_function()

DROP_SEARCH_FUNCTION_BEFORE_HOLDS = (
    "DROP FUNCTION free_properties(date, date, text, integer, integer, integer)"
)
DROP_SEARCH_FUNCTION = (
    "DROP FUNCTION free_properties(date, date, text, integer, timestamptz, integer, integer)"
)
