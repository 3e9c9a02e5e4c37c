"""Design (g): the search as a PL/pgSQL function, in three bounded stages.

1. Probe the first `budget` properties after the cursor, one B-tree probe each,
   as the service does today: where most properties are free the page fills here.
2. If no probed property was free (under `sparse_when_found_under`), matches
   may be sparse: read at most `cap` gaps holding the stay after the last
   property looked at, from the GiST on `gap`, in no order. Fewer than `cap` are
   all the matches there are: sorted, they give the page. (This read costs about
   one GiST page per match where matches are merely uncommon, 100 ms for 2,000
   at 1M properties in a 70% season: so only when the probes found none.)
3. Otherwise matches are dense: chunk after chunk, the (chunk, gap) GiST gives
   each chunk's matches sorted by id until the page is full. After `chunk_walk`
   chunks without filling it, stage 2 runs again from there: so a walk never goes
   far through sparse matches, and one that follows a capped read of stage 2
   crosses chunks that hold at least `cap` matches between them. (A KNN scan
   ordered by chunk walks chunks in one statement, but whether the planner picks
   it depends on its estimates: PostgreSQL 15 sorts every match instead at small
   sizes.)

Each stage is a plain statement whose plan PL/pgSQL caches per session, so a
search is planned once, not on every call; the stages run one after the other
only as far as the page needs. The caller orders the rows (`ORDER BY
property_id`) rather than rely on the function's order.
"""

from __future__ import annotations

from bench.schema import LONGEST_STAY_NIGHTS, Step

CHUNK_INDEX = Step(
    "B-tree property (chunk, property_id): a chunk's last id, the next chunk",
    "CREATE INDEX property_chunk_idx ON property (chunk, property_id)",
)

SEARCH_FUNCTION = Step(
    "search function free_properties()",
    f"""
CREATE OR REPLACE FUNCTION free_properties(
  stay_start date, stay_end date, after_id text, page_size integer,
  budget integer DEFAULT 200, cap integer DEFAULT 2000,
  sparse_when_found_under integer DEFAULT 1, chunk_walk integer DEFAULT 8)
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
  this_chunk integer;
  added integer;
  walked integer;
  sparse_first boolean;
  answered_to text;
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
  -- None free among the probed: the matches may be sparse, read them first.
  sparse_first := found < sparse_when_found_under;
  answered_to := last_probed;  -- every property up to this id has been looked at
  SELECT chunk INTO this_chunk FROM property
   WHERE property_id > last_probed ORDER BY property_id LIMIT 1;
  walked := 0;
  LOOP
    IF sparse_first THEN
      SELECT array_agg(m.property_id) INTO sparse
        FROM (SELECT g.property_id FROM property_gap g
               WHERE g.gap @> stay AND g.property_id > answered_to LIMIT cap) m;
      IF coalesce(cardinality(sparse), 0) < cap THEN  -- all the matches there are
        RETURN QUERY
          SELECT s.id, (SELECT p.description FROM property p WHERE p.property_id = s.id)
            FROM unnest(sparse) AS s(id) ORDER BY s.id LIMIT page_size - found;
        RETURN;
      END IF;
      sparse_first := false;  -- at least `cap` matches lie ahead: dense enough to walk
      walked := 0;
    END IF;
    EXIT WHEN this_chunk IS NULL;
    -- Chunk by chunk, each statement planned alike whatever the statistics say.
    RETURN QUERY
      SELECT f.property_id,
             (SELECT p.description FROM property p WHERE p.property_id = f.property_id)
        FROM (SELECT g.property_id FROM property_gap g
               WHERE g.chunk = this_chunk AND g.gap @> stay AND g.property_id > answered_to
               ORDER BY g.property_id LIMIT page_size - found) f;
    GET DIAGNOSTICS added = ROW_COUNT;
    found := found + added;
    EXIT WHEN found = page_size;
    SELECT max(property_id) INTO answered_to FROM property WHERE chunk = this_chunk;
    SELECT min(chunk) INTO this_chunk FROM property WHERE chunk > this_chunk;
    walked := walked + 1;
    sparse_first := walked >= chunk_walk;  -- sparser than the probes said
  END LOOP;
END $$
""",  # noqa: S608 -- a constant of the schema
)

CALL = """
SELECT property_id, description
  FROM free_properties(%(start)s::date, %(end)s::date, %(after)s, %(limit)s, %(budget)s, %(cap)s)
 ORDER BY property_id"""
