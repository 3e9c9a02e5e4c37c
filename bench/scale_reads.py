"""One client's reads on a filled database, one node or Citus: the adapter's own statements.

    python -m bench.scale_reads --url postgresql://.../<database filled by bench.generate>

Search pages (`free_properties`: the free gaps on one node, the per-shard probe on
Citus; random stays over 2021-2027, 100 a page), a reservation read by id and
owner, and the same read naming its property (on Citus: every shard against one),
each p50/p99 in ms; then the size of each table and index (on Citus, of each shard).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from bench.generate import BENCH_PRINCIPAL
from bench.load import host
from ota_adapters.postgres import build_engine
from ota_adapters.postgres.citus import is_citus_coordinator
from ota_adapters.postgres.search import free_properties
from ota_adapters.postgres.statements import OF_NAMED_PROPERTY, OWNED_RESERVATION
from ota_core import DateRange

NOW = dt.datetime.now(dt.UTC)  # holds expire by the service's clock; the data has none
FIRST_DAY = dt.date(2021, 1, 1)
ID_SAMPLES = 2000
# Random pages holding about four times the ids wanted: all of a small table (or of a
# Citus coordinator's, whose own table is empty), a few thousandths of a large one.
SAMPLE_PERCENT = """
SELECT CASE WHEN reltuples > 0 THEN least(100, 400.0 * :wanted / reltuples) ELSE 100 END
FROM pg_class WHERE oid = 'reservation'::regclass
"""
ID_SAMPLE = """
SELECT reservation_id, property_id FROM reservation TABLESAMPLE SYSTEM (:percent) LIMIT :wanted
"""


def _percentiles(run: Callable[[], object], samples: int) -> dict[str, float]:
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    cuts = statistics.quantiles(times[len(times) // 10 :], n=100)  # the first tenth warms up
    return {"p50_ms": round(cuts[49], 2), "p99_ms": round(cuts[98], 2)}


def reads(engine: sa.Engine, samples: int, *, citus: bool) -> dict[str, Any]:
    """p50/p99 of a search page, a read by id alone and one naming the property."""
    rng = random.Random(42)
    with engine.connect() as connection:
        percent = connection.scalar(sa.text(SAMPLE_PERCENT), {"wanted": ID_SAMPLES})
        ids = connection.execute(
            sa.text(ID_SAMPLE), {"percent": percent, "wanted": ID_SAMPLES}
        ).all()

        def search() -> object:
            start = FIRST_DAY + dt.timedelta(days=rng.randrange(7 * 365))
            stay = DateRange.from_nights(start, rng.randrange(1, 15))
            statement, values = free_properties(stay, None, 100, NOW, probe=citus)
            return connection.execute(statement, values).all()

        def read(statement: sa.Select[Any], *, named: bool) -> Callable[[], object]:
            def run() -> object:
                row = rng.choice(ids)
                values = {"reservation_id": row.reservation_id, "owner": BENCH_PRINCIPAL}
                found = connection.execute(
                    statement, values | ({"property_id": row.property_id} if named else {})
                ).all()
                if len(found) != 1:  # every generated stay is the principal's
                    raise SystemExit(f"{row} read {len(found)} rows")
                return found

            return run

        return {
            "search page of 100": _percentiles(search, samples),
            "read by id and owner": _percentiles(read(OWNED_RESERVATION, named=False), samples),
            "read by id, owner and property": _percentiles(
                read(OF_NAMED_PROPERTY[OWNED_RESERVATION], named=True), samples
            ),
        }


SIZES = """
SELECT c.relname AS relation, c.relkind AS kind, pg_relation_size(c.oid) AS bytes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') AND pg_relation_size(c.oid) > 2^20
ORDER BY bytes DESC
"""
SHARD_SIZES = """
SELECT table_name::text AS relation, shardid, nodeport, shard_size AS bytes FROM citus_shards
WHERE table_name::text IN ('property', 'reservation') ORDER BY 1, 2
"""


def sizes(engine: sa.Engine, *, citus: bool) -> list[dict[str, object]]:
    """MiB per table and index over 1 MiB; on Citus, per shard (heap and indexes)."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text(SHARD_SIZES if citus else SIZES)).mappings().all()
    return [
        {k: v for k, v in row.items() if k != "bytes"} | {"mib": round(row["bytes"] / 2**20, 1)}
        for row in rows
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args(argv)
    engine = build_engine(args.url, pool_size=1, statement_timeout_ms=0)
    try:
        with engine.connect() as connection:
            citus = is_citus_coordinator(connection)  # where the tables are distributed
            rows = connection.scalar(sa.text("SELECT count(*) FROM reservation"))
        report = {
            "command": " ".join(["python -m bench.scale_reads", *(argv or sys.argv[1:])]),
            "machine": host(),
            "reservations": rows,
            **reads(engine, args.samples, citus=citus),
            "sizes": sizes(engine, citus=citus),
        }
    finally:
        engine.dispose()
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
