"""The search designs of the matrix, as the SQL a psycopg2 client sends.

Every design answers the same question: the first `limit` properties (by
`property_id`, "C" order) after the cursor `after` with no confirmed stay
overlapping [start, end). Placeholders are psycopg2's (`%(start)s`, `%(end)s`,
`%(after)s`, `%(limit)s`, `%(budget)s`, `%(cap)s`); the first page has `after = ''`,
except for (a), which is the service's own statement in both of its shapes.

- (a) the service's statement: one B-tree probe of `reservation` per property, in id order.
- (b) `property_gap`: the gaps that hold the stay (GiST on `gap`), then the first page by id.
- (c) (a) for the first `budget` properties after the cursor, then (b) after the last of them.
- (d) chunked gaps: a KNN scan of the GiST on `(chunk, gap)` ordered by distance from the
  cursor's chunk yields chunk after chunk; an incremental sort orders each chunk by id,
  and the limit stops the scan once the page is full.
- (e) (c) with (d) as its fallback.
- (f) the probe budget, then the gap GiST's first `cap` matches after the probes in any
  order: fewer than `cap` are all the matches, sorted for the page; otherwise (d).
- (g) (f)'s stages as a PL/pgSQL function, its statements' generic plans cached, reading
  the sparse matches only when no probed property was free: the service's search now
  (`ota_adapters.postgres.search_function`, migration 0005).
- (h) (g) with half the probe budget.
"""

from __future__ import annotations

import attrs

from bench.schema import LONGEST_STAY_NIGHTS

STAY = "daterange(%(start)s::date, %(end)s::date)"

PROBE = f"""
SELECT 1 FROM reservation r
 WHERE r.property_id = p.property_id AND r.status = 'confirmed'
   AND r.start_date < %(end)s::date AND r.start_date > %(start)s::date - {LONGEST_STAY_NIGHTS}
   AND r.end_date > %(start)s::date
OFFSET 0"""  # noqa: S608 -- fragments of this module

# Every match first (MATERIALIZED: else the planner may walk the key in id order instead).
GAP_MATCHES = f"""
WITH matches AS MATERIALIZED (
  SELECT g.property_id FROM property_gap g WHERE g.gap @> {STAY} AND g.property_id > {{after}})
SELECT property_id FROM matches ORDER BY property_id LIMIT {{limit}}"""  # noqa: S608 -- fragments of this module

# The cursor's chunk: that of the first property after it (chunks grow with ids).
CURSOR_CHUNK = (
    "(SELECT chunk FROM property WHERE property_id > {after} ORDER BY property_id LIMIT 1)"
)

CHUNK_MATCHES = f"""
SELECT g.property_id FROM property_gap g
 WHERE g.chunk >= {CURSOR_CHUNK} AND g.gap @> {STAY} AND g.property_id > {{after}}
 ORDER BY g.chunk <-> {CURSOR_CHUNK}, g.property_id LIMIT {{limit}}"""  # noqa: S608 -- fragments of this module

# Descriptions by key, row by row: a join estimated from LIMIT's guess could hash the table.
DESCRIPTION = "(SELECT p.description FROM property p WHERE p.property_id = f.property_id)"

PAGE_OF = f"""
SELECT f.property_id, {DESCRIPTION} AS description FROM ({{matches}}) f
 ORDER BY f.property_id"""  # noqa: S608 -- fragments of this module

# The first `budget` properties after the cursor, probed one by one as far as the page
# needs (CTEs are read lazily), the free ones, and how many.
PROBED = f"""WITH probed AS (
  SELECT p.property_id, p.description, NOT EXISTS ({PROBE}) AS free
    FROM property p WHERE p.property_id > %(after)s
   ORDER BY p.property_id LIMIT %(budget)s
), page AS (
  SELECT property_id, description FROM probed WHERE free LIMIT %(limit)s
), found AS (SELECT count(*) AS n FROM page"""  # noqa: S608 -- fragments of this module

# Probe the first `budget` properties; only when they do not fill the page (a
# one-time filter, evaluated in order: CASE) run the fallback after the last of them.
PROBE_THEN = f"""
{PROBED})
SELECT property_id, description FROM page
UNION ALL
(SELECT f.property_id, {DESCRIPTION} FROM ({{matches}}) f
  WHERE CASE WHEN (SELECT n FROM found) < %(limit)s
             THEN (SELECT count(*) FROM probed) = %(budget)s ELSE false END)
ORDER BY property_id"""  # noqa: S608 -- fragments of this module

# (f): after the probes, the gap GiST's first `cap` matches in any order. Fewer than
# `cap` are all there are: sorted, they give the rest of the page. Otherwise matches
# are dense enough for the chunk walk to stop after a few chunks.
PROBE_SPARSE_DENSE = f"""
{PROBED}
), fallback AS (
  SELECT CASE WHEN (SELECT n FROM found) < %(limit)s THEN
    (SELECT CASE WHEN count(*) = %(budget)s THEN max(property_id) END FROM probed) END AS after
), sparse AS MATERIALIZED (
  SELECT g.property_id FROM property_gap g
   WHERE (SELECT after FROM fallback) IS NOT NULL
     AND g.gap @> {STAY} AND g.property_id > (SELECT after FROM fallback)
   LIMIT %(cap)s)
SELECT property_id, description FROM page
UNION ALL
(SELECT f.property_id, {DESCRIPTION} FROM sparse f
  WHERE (SELECT count(*) FROM sparse) < %(cap)s
  ORDER BY f.property_id LIMIT (%(limit)s - (SELECT n FROM found)))
UNION ALL
(SELECT f.property_id, {DESCRIPTION} FROM ({{matches}}) f
  WHERE (SELECT count(*) FROM sparse) = %(cap)s)
ORDER BY property_id"""  # noqa: S608 -- fragments of this module

# (a): the service's statement before issue 21, its constants inline.
PROBE_EVERY_PROPERTY = f"""
SELECT p.property_id, p.description FROM property p
 WHERE p.property_id > %(after)s AND NOT EXISTS ({PROBE})
 ORDER BY p.property_id LIMIT %(limit)s"""  # noqa: S608 -- fragments of this module

# (g): the service's search function, with the probe budget and sparse cap it defaults to,
# at the database's clock (the generated data holds no holds).
CALL = """
SELECT property_id, description
  FROM free_properties(%(start)s::date, %(end)s::date, %(after)s, %(limit)s, now(),
                       %(budget)s, %(cap)s)
 ORDER BY property_id"""

FALLBACK_AFTER = "(SELECT max(property_id) FROM probed)"
FALLBACK_LIMIT = "(%(limit)s - (SELECT n FROM found))"


@attrs.frozen
class Design:
    key: str
    title: str
    first_page_sql: str
    next_page_sql: str

    def sql(self, *, first_page: bool) -> str:
        return self.first_page_sql if first_page else self.next_page_sql


def _same_sql(sql: str) -> tuple[str, str]:
    return sql, sql


def designs() -> list[Design]:
    on_gaps = GAP_MATCHES.format(after="%(after)s", limit="%(limit)s")
    on_chunks = CHUNK_MATCHES.format(after="%(after)s", limit="%(limit)s")
    gaps_after_probe = GAP_MATCHES.format(after=FALLBACK_AFTER, limit=FALLBACK_LIMIT)
    chunks_after_probe = CHUNK_MATCHES.format(after=FALLBACK_AFTER, limit=FALLBACK_LIMIT)
    chunks_after_sparse = CHUNK_MATCHES.format(
        after="(SELECT after FROM fallback)", limit=FALLBACK_LIMIT
    )
    return [
        Design(
            "a",
            "per-property B-tree probe (the service's SQL before issue 21)",
            *_same_sql(PROBE_EVERY_PROPERTY),
        ),
        Design("b", "gap GiST, then the page", *_same_sql(PAGE_OF.format(matches=on_gaps))),
        Design(
            "c",
            "probe budget, then gap GiST",
            *_same_sql(PROBE_THEN.format(matches=gaps_after_probe)),
        ),
        Design(
            "d",
            "chunked gap GiST, KNN by chunk",
            *_same_sql(PAGE_OF.format(matches=on_chunks)),
        ),
        Design(
            "e",
            "probe budget, then chunked gap GiST",
            *_same_sql(PROBE_THEN.format(matches=chunks_after_probe)),
        ),
        Design(
            "f",
            "probe budget, then gap GiST if sparse, else chunked",
            *_same_sql(PROBE_SPARSE_DENSE.format(matches=chunks_after_sparse)),
        ),
        Design(
            "g",
            "(f) as a PL/pgSQL function (the service's search function)",
            *_same_sql(CALL),
        ),
        Design(
            "h",
            "(g) with half the probe budget",
            *_same_sql(CALL.replace("%(budget)s", "(%(budget)s / 2)")),
        ),
    ]


def by_keys(keys: str) -> list[Design]:
    return [d for d in designs() if d.key in keys]
