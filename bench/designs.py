"""The search query, and the ways of probing reservations that compete for it.

Each design keeps the service's query shape (one keyset page of properties, an
anti-join per property) and differs only in the probe inside `NOT EXISTS` and in
the index that serves it. Queries are rendered from fixed SQL fragments: the
placeholders become server-side parameters (`$1`..`$4`, for PREPARE), psycopg2
parameters or pgbench expressions, never values.
"""

from __future__ import annotations

import attrs

from bench import schema

PAGE_QUERY = """
SELECT p.property_id, p.description FROM property p
WHERE p.property_id > {after}
  AND NOT EXISTS ({probe})
ORDER BY p.property_id LIMIT {limit}
"""

PROBE_GIST_TEXT = """
SELECT 1 FROM reservation r
WHERE r.property_id = p.property_id AND r.status = 'confirmed'
  AND daterange(r.start_date, r.end_date) && daterange({start}, {end})
"""

PROBE_GIST_KEY = """
SELECT 1 FROM reservation r
WHERE r.property_key = p.property_key AND r.status = 'confirmed'
  AND daterange(r.start_date, r.end_date) && daterange({start}, {end})
"""

# The look-back bound is a constant of the schema, not a value.
PROBE_BTREE = f"""
SELECT 1 FROM reservation r
WHERE r.property_id = p.property_id AND r.status = 'confirmed'
  AND r.start_date < {{end}} AND r.start_date > {{start}} - {schema.LONGEST_STAY_NIGHTS}
  AND r.end_date > {{start}}
"""  # noqa: S608


# (c) plus a range-overlap filter that changes no result (the index conditions and
# `end_date > start` already say the same) but gives the planner a realistic,
# small estimate of how many stays overlap, so it keeps the ordered scan of
# properties that stops after one page.
PROBE_BTREE_OVERLAP = (
    PROBE_BTREE.rstrip()
    + "\n  AND daterange(r.start_date, r.end_date) && daterange({start}, {end})\n"
)


# (c) kept a correlated subquery: `OFFSET 0` stops the planner from turning
# `NOT EXISTS` into an anti-join, so whatever its estimates, it walks properties in
# id order and probes each one until the page is full.
PROBE_BTREE_PER_ROW = PROBE_BTREE.rstrip() + " OFFSET 0\n"


@attrs.frozen
class Placeholders:
    """SQL fragments standing for the query's four inputs."""

    start: str
    end: str
    after: str
    limit: str


PREPARED = Placeholders(start="$1", end="$2", after="$3", limit="$4")
PREPARED_TYPES = "(date, date, text, integer)"
PSYCOPG = Placeholders(start="%(start)s", end="%(end)s", after="%(after)s", limit="%(limit)s")


def pgbench_placeholders(first_day: str, limit: int) -> Placeholders:
    """pgbench variables: `d` days after `first_day`, `n` nights, cursor property `k`."""
    start = f"(date '{first_day}' + CAST(:d AS integer))"
    return Placeholders(
        start=start,
        end=f"({start} + CAST(:n AS integer))",
        after=(
            "coalesce((SELECT c.property_id FROM property c"
            " WHERE c.property_key = CAST(:k AS integer)), '')"
        ),
        limit=str(limit),
    )


@attrs.frozen
class Design:
    """One way to probe reservations, and the index it needs."""

    key: str
    title: str
    probe: str
    index: schema.Step
    index_name: str

    def sql(self, placeholders: Placeholders) -> str:
        values = attrs.asdict(placeholders)
        return PAGE_QUERY.format(probe=self.probe.format(**values), **values)


GIST_TEXT = Design(
    "a",
    "anti-join on the exclusion constraint's GiST (property_id text, daterange)",
    PROBE_GIST_TEXT,
    schema.EXCLUSION_CONSTRAINT,
    schema.EXCLUSION_INDEX_NAME,
)
GIST_KEY = Design(
    "b",
    "anti-join on a GiST (property_key integer, daterange)",
    PROBE_GIST_KEY,
    schema.KEY_GIST,
    schema.KEY_GIST_NAME,
)
BTREE = Design(
    "c",
    "anti-join on the B-tree (property_id, start_date) INCLUDE (end_date), bounded look-back",
    PROBE_BTREE,
    schema.SEARCH_BTREE,
    schema.SEARCH_BTREE_NAME,
)
BTREE_OVERLAP = Design(
    "d",
    "(c) plus a daterange && filter that fixes the planner's estimate",
    PROBE_BTREE_OVERLAP,
    schema.SEARCH_BTREE,
    schema.SEARCH_BTREE_NAME,
)
BTREE_PER_ROW = Design(
    "e",
    "(c) as a per-property subquery (OFFSET 0): the plan cannot turn into a join",
    PROBE_BTREE_PER_ROW,
    schema.SEARCH_BTREE,
    schema.SEARCH_BTREE_NAME,
)
ALL = (GIST_TEXT, GIST_KEY, BTREE, BTREE_OVERLAP, BTREE_PER_ROW)
