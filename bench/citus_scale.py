"""Reservations at scale on a Citus cluster: load time, shard sizes, search and reads by id.

    python -m bench.citus_scale --url postgresql://<coordinator>/<database> \\
        --properties 100000 --reservations 1000000 [--samples 300]

Give it a scratch database on a Citus coordinator with workers (`tests/citus`
starts one): `ota migrate`'s code distributes the tables (revision 0007), then
`bench.generate`'s set-based SQL fills them (stays that never overlap, inserted
through the coordinator into the shards, the exclusion constraint checked row by
row). Then, one client at a time: search pages (`free_properties`, random stays
over 2021-2027, 100 a page), a read by id alone (every shard), and a read by id
and property (one shard), each p50/p99 in ms; and the size of each shard.
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

from bench.db import connect, execute, timed
from bench.generate import ALPHABET, GENERATE_IDS, Shape, insert_properties, insert_reservations
from bench.generate import reservation_params as stay_layout
from bench.load import host
from ota_adapters.postgres import build_engine, migrate
from ota_adapters.postgres.search import free_properties
from ota_core import DateRange, PropertyId

NOW = dt.datetime.now(dt.UTC)  # holds expire by the service's clock; the data has none


def _load(url: str, shape: Shape) -> dict[str, float]:
    conn = connect(url)  # autocommit: each step commits
    try:
        execute(conn, "TRUNCATE idempotency_key, reservation, property")
        execute(conn, "SELECT setseed(0.42)")
        steps = [
            timed(
                conn, "generate property ids", GENERATE_IDS, {"n": shape.properties, "a": ALPHABET}
            ),
            timed(conn, "load properties", insert_properties(shape)),
            timed(conn, "load reservations", insert_reservations(shape), stay_layout(shape)),
            timed(conn, "vacuum analyze", "VACUUM ANALYZE property, reservation"),
        ]
    finally:
        conn.close()
    return {step.name: round(step.seconds, 1) for step in steps}


def _percentiles(run: Callable[[], object], samples: int) -> dict[str, float]:
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    cuts = statistics.quantiles(times[len(times) // 10 :], n=100)  # the first tenth warms up
    return {"p50_ms": round(cuts[49], 2), "p99_ms": round(cuts[98], 2)}


def _reads(engine: sa.Engine, samples: int) -> dict[str, Any]:
    rng = random.Random(42)
    first = dt.date(2021, 1, 1)
    with engine.connect() as connection:
        ids = connection.execute(
            sa.text("SELECT reservation_id, property_id FROM reservation LIMIT 2000")
        ).all()

        def search() -> object:
            start = first + dt.timedelta(days=rng.randrange(7 * 365))
            stay = DateRange.from_nights(start, rng.randrange(1, 15))
            statement, values = free_properties(stay, None, 100, NOW, probe=True)
            return connection.execute(statement, values).all()

        def by_id() -> object:
            return connection.execute(
                sa.text("SELECT * FROM reservation WHERE reservation_id = :r"),
                {"r": rng.choice(ids).reservation_id},
            ).all()

        def by_id_and_property() -> object:
            row = rng.choice(ids)
            return connection.execute(
                sa.text("SELECT * FROM reservation WHERE reservation_id = :r AND property_id = :p"),
                {"r": row.reservation_id, "p": PropertyId(row.property_id)},
            ).all()

        return {
            "search page of 100": _percentiles(search, samples),
            "read by id (every shard)": _percentiles(by_id, samples),
            "read by id and property (one shard)": _percentiles(by_id_and_property, samples),
        }


def _shards(engine: sa.Engine) -> list[dict[str, object]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT table_name::text AS relation, shardid, nodeport, shard_size"
                " FROM citus_shards"
                " WHERE table_name::text IN ('property', 'reservation') ORDER BY 1, 2"
            )
        ).all()
    return [
        {
            "table": r.relation,
            "shard": r.shardid,
            "node": r.nodeport,
            "mib": round(r.shard_size / 2**20, 1),
        }
        for r in rows
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--properties", type=int, default=100_000)
    parser.add_argument("--reservations", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args(argv)
    given = sys.argv[1:] if argv is None else argv
    shape = Shape(args.properties, args.reservations)
    migrate(args.url)
    report: dict[str, Any] = {
        "command": " ".join(["python -m bench.citus_scale", *given]),
        "machine": host(),
        "load_seconds": _load(args.url, shape),
    }
    engine = build_engine(args.url, pool_size=1, statement_timeout_ms=0)
    try:
        report |= _reads(engine, args.samples)
        report["shards"] = _shards(engine)
    finally:
        engine.dispose()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
