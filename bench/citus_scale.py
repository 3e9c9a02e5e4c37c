"""Reservations at scale on a Citus cluster: load time, shard sizes, search and reads by id.

    python -m bench.citus_scale --url postgresql://<coordinator>/<database> \\
        --properties 100000 --reservations 1000000 [--samples 300]

Give it a scratch database on a Citus coordinator with workers (`tests/citus`
starts one): `ota migrate`'s code distributes the tables (revision 0007), then
`bench.generate`'s set-based SQL fills them (stays that never overlap, inserted
through the coordinator into the shards, the exclusion constraint checked row by
row). Then `bench.scale_reads`: search pages, reads by id alone (every shard) and
naming the property (one shard), one client, p50/p99 in ms; and the size of each shard.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bench.db import connect, execute, timed
from bench.generate import ALPHABET, GENERATE_IDS, Shape, insert_properties, insert_reservations
from bench.generate import reservation_params as stay_layout
from bench.load import host
from bench.scale_reads import reads, sizes
from ota_adapters.postgres import build_engine, migrate


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
        report |= reads(engine, args.samples, citus=True)
        report["shards"] = sizes(engine, citus=True)
    finally:
        engine.dispose()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
