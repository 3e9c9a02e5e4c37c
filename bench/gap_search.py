"""Design (g): the search as a PL/pgSQL function, in three bounded stages.

1. Probe the first `budget` properties after the cursor, one B-tree probe each,
   as the service does today: where most properties are free the page fills here.
2. If no probed property was free, matches may be sparse: read at most `cap`
   gaps holding the stay in the whole catalogue from the GiST on `gap`, in no
   order (it cannot skip ids before the cursor: counting only those after it
   read 8,600 matches in 92 ms at 1M properties in a 70% season). Fewer than
   `cap` are all the matches there are: those after the last probed property,
   sorted, give the page.
3. Otherwise matches are dense: one KNN scan of the (chunk, gap) GiST ordered by
   chunk from the first unprobed property's, with an incremental sort by id per
   chunk, stops once the page is full. Crossing a chunk without matches costs a
   few index tuples; walking chunks with one statement each cost ~60 pages per
   chunk at 1M (the chunk's subtree is searched from its top every time).
   PostgreSQL 18 plans it so with a generic plan; PostgreSQL 15 was seen to sort
   every match instead at 10k properties (correct, slower; check at its size).

Each stage is a plain statement whose plan PL/pgSQL caches per session, so a
search is planned once, not on every call; the stages run one after the other
only as far as the page needs. The caller orders the rows (`ORDER BY
property_id`) rather than rely on the function's order.
"""

from __future__ import annotations

from bench.schema import LONGEST_STAY_NIGHTS, Step

SEARCH_FUNCTION = Step(
    "search function free_properties()",
    f"""
CREATE OR REPLACE FUNCTION free_properties(
  stay_start date, stay_end date, after_id text, page_size integer,
  budget integer DEFAULT 400, cap integer DEFAULT 500)
RETURNS TABLE (property_id text, description text)
LANGUAGE plpgsql STABLE
-- Plans made once per session: replanning on every call for the dates given costs
-- more than it saves, and each statement's generic plan is the one wanted.
SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
  stay daterange := daterange(stay_start, stay_end);
  found integer;
  probed integer;
  last_probed text;
  sparse text[];
  first_chunk integer;
BEGIN
  RETURN QUERY
    SELECT p.property_id, p.description
      FROM (SELECT property_id, description FROM property
             WHERE property_id > after_id ORDER BY property_id LIMIT budget) p
     WHERE NOT EXISTS (
       SELECT 1 FROM reservation r
        WHERE r.property_id = p.property_id AND r.status = 'confirmed'
          AND r.start_date < stay_end
          AND r.start_date > stay_start - {LONGEST_STAY_NIGHTS}
          AND r.end_date > stay_start
        OFFSET 0)  -- a probe per property, never an anti-join (as the service's SQL)
     ORDER BY p.property_id LIMIT page_size;
  GET DIAGNOSTICS found = ROW_COUNT;
  IF found = page_size THEN
    RETURN;
  END IF;
  SELECT max(b.property_id), count(*) INTO last_probed, probed
    FROM (SELECT property_id FROM property
           WHERE property_id > after_id ORDER BY property_id LIMIT budget) b;
  IF probed < budget THEN
    RETURN;  -- the catalogue ended within the budget
  END IF;
  IF found = 0 THEN  -- none free among the probed: the matches may be sparse
    -- Counted over the whole catalogue: the GiST cannot skip ids before the cursor.
    SELECT array_agg(m.property_id) INTO sparse
      FROM (SELECT g.property_id FROM property_gap g WHERE g.gap @> stay LIMIT cap) m;
    IF coalesce(cardinality(sparse), 0) < cap THEN  -- all the matches there are
      RETURN QUERY
        SELECT s.id, (SELECT p.description FROM property p WHERE p.property_id = s.id)
          FROM unnest(sparse) AS s(id) WHERE s.id > last_probed
         ORDER BY s.id LIMIT page_size;
      RETURN;
    END IF;
  END IF;
  -- Dense: one KNN scan of the (chunk, gap) GiST, chunk after chunk from the first
  -- unprobed property's, each chunk sorted by id; the limit ends the scan.
  SELECT chunk INTO first_chunk FROM property
   WHERE property_id > last_probed ORDER BY property_id LIMIT 1;
  RETURN QUERY
    SELECT f.property_id,
           (SELECT p.description FROM property p WHERE p.property_id = f.property_id)
      FROM (SELECT g.property_id FROM property_gap g
             WHERE g.chunk >= first_chunk AND g.gap @> stay AND g.property_id > last_probed
             ORDER BY g.chunk <-> first_chunk, g.property_id LIMIT page_size - found) f;
END $$
""",  # noqa: S608 -- a constant of the schema
)

CALL = """
SELECT property_id, description
  FROM free_properties(%(start)s::date, %(end)s::date, %(after)s, %(limit)s, %(budget)s, %(cap)s)
 ORDER BY property_id"""
