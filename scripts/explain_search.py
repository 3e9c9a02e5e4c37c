"""EXPLAIN ANALYZE and timings of the search query on generated data (ADRs 0004, 0022).

    python scripts/explain_search.py --database-url postgresql://postgres@127.0.0.1/scratch

Give it a scratch database: it migrates it, replaces its rows with
`--properties` properties of `--stays` stays each, 36 days apart (unless
`--no-fill`), prints the plan of the adapter's query for one page, then the mean
server time and buffers touched per page of it and of three alternatives.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ota_adapters.postgres import migrate
from ota_adapters.postgres.engine import one_off_connection
from ota_adapters.postgres.search import free_properties_query
from ota_core import DateRange

FILL = """
TRUNCATE idempotency_key, property_gap, reservation, property;
INSERT INTO property SELECT 'P' || lpad(p::text, 7, '0'), 'property ' || p
FROM generate_series(1, :properties) AS p;
INSERT INTO reservation (reservation_id, property_id, start_date, number_of_nights)
SELECT gen_random_uuid(), 'P' || lpad(p::text, 7, '0'),
       DATE '2021-01-01' + s * 36 + (p % 20), 1 + (p + s) % 14
FROM generate_series(1, :properties) AS p, generate_series(0, :stays - 1) AS s;
"""

PAGE = """
SELECT p.property_id, p.description FROM property p
WHERE NOT EXISTS (SELECT 1 FROM reservation r
                  WHERE r.property_id = p.property_id AND r.status = 'confirmed'
                    AND {probe} {fence})
ORDER BY p.property_id LIMIT 101
"""
LOOK_BACK = "r.start_date < :end AND r.start_date > :start - 365 AND r.end_date > :start"
ALTERNATIVES = {
    "the same without OFFSET 0 (the planner's choice of join)": PAGE.format(
        probe=LOOK_BACK, fence=""
    ),
    "B-tree probe without the look-back bound": PAGE.format(
        probe="r.start_date < :end AND r.end_date > :start", fence="OFFSET 0"
    ),
    "GiST probe (the exclusion constraint's index)": PAGE.format(
        probe="daterange(r.start_date, r.end_date) && daterange(:start, :end)", fence="OFFSET 0"
    ),
}


def _shipped(stay: DateRange) -> str:
    query = free_properties_query(stay, after=None, limit=101, now=dt.datetime.now(dt.UTC))
    compiled = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    return str(compiled)


def _cost(connection: sa.Connection, query: str, params: dict[str, object]) -> tuple[float, int]:
    """Server execution time (ms) and buffers touched by one page."""
    explain = sa.text(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {query}")
    [result] = connection.execute(explain, params).scalar_one()
    plan = result["Plan"]
    return result["Execution Time"], plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]


def _mean_cost(connection: sa.Connection, pages: list[tuple[str, dict[str, object]]]) -> str:
    for query, params in pages:  # warm the cache first
        connection.execute(sa.text(query), params).all()
    costs = [_cost(connection, query, params) for query, params in pages]
    ms = sum(c[0] for c in costs) / len(costs)
    buffers = sum(c[1] for c in costs) / len(costs)
    return f"{ms:8.2f} ms {buffers:8.0f} buffers"


def _report(connection: sa.Connection, stays: list[DateRange]) -> None:
    plan = connection.execute(
        sa.text(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {_shipped(stays[0])}")
    )
    print(f"-- the adapter's query, {stays[0]}\n" + "\n".join(row[0] for row in plan))
    print(f"\nper page (101 rows), mean over {len(stays)} random 1-14 night ranges:")
    shipped = [(_shipped(s), {}) for s in stays]
    print(f"  {_mean_cost(connection, shipped)}  the adapter's query")
    ranges = [{"start": s.start, "end": s.end} for s in stays]
    for title, query in ALTERNATIVES.items():
        if "GiST" in title:
            connection.execute(sa.text("DROP INDEX reservation_search_idx"))
        pages: list[tuple[str, dict[str, object]]] = [(query, params) for params in ranges]
        print(f"  {_mean_cost(connection, pages)}  {title}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--properties", type=int, default=5000)
    parser.add_argument("--stays", type=int, default=40, help="per property, 36 days apart")
    parser.add_argument("--no-fill", dest="fill", action="store_false", help="reuse the data")
    args = parser.parse_args()
    migrate(args.database_url)
    with one_off_connection(args.database_url) as connection:
        if args.fill:
            with connection.begin():
                connection.execute(sa.text(FILL), vars(args))
        with one_off_connection(args.database_url, autocommit=True) as maintenance:
            maintenance.execute(sa.text("VACUUM ANALYZE property, reservation"))
        last_day = dt.date(2021, 1, 1) + dt.timedelta(days=36 * args.stays)
        chosen = random.Random(4)  # noqa: S311 - picks dates, not secrets
        stays = [
            DateRange.from_nights(
                last_day - dt.timedelta(days=chosen.randrange(365)), chosen.randint(1, 14)
            )
            for _ in range(50)
        ]
        with connection.begin():
            _report(connection, stays)
            connection.rollback()  # the dropped index comes back


if __name__ == "__main__":
    main()
