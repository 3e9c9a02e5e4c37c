"""Search latency of the chosen design (bounded B-tree probe) as reservations grow.

For each size the database is regenerated (same properties, more reservations:
more stays per property, spread over the same years), then the search query is
timed with one client (prepared, random ranges and cursors) and loaded with
pgbench. The exclusion constraint is left out by default (`--indexes search`):
the query does not use it and building it dominates the run.

    python -m bench.scaling --url postgresql://postgres@127.0.0.1/ota_scaling \\
        --sizes 10000 1000000 10000000
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path

import attrs

from bench import designs, generate, measure
from bench.db import connect, fetch_all, server_version
from bench.measure import Latency, Throughput


@attrs.frozen
class Point:
    reservations: int
    properties: int
    search_index_bytes: int
    latency: Latency
    throughput: Throughput | None


@attrs.frozen
class Options:
    url: str
    sizes: tuple[int, ...]
    properties: int = 100_000
    indexes: str = "search"
    samples: int = 300
    clients: int = 100
    seconds: int = 20
    pgbench: str | None = None
    seed: int = 2021


def measure_size(options: Options, reservations: int) -> Point:
    shape = generate.Shape(
        options.properties, reservations, property_key=True, indexes=options.indexes
    )
    settings = {"maintenance_work_mem": "1GB", "work_mem": "1GB"}
    report = generate.generate(options.url, shape, settings, replace=True)
    conn = connect(options.url)
    try:
        ids = [row[0] for row in fetch_all(conn, "SELECT property_id FROM property")]
        samples = measure.random_samples(ids, options.samples, (1, 14), random.Random(options.seed))
        measure.prepare(conn, designs.BTREE)
        measure.run_samples(conn, designs.BTREE, samples, 100)  # warm-up
        _, seconds = measure.run_samples(conn, designs.BTREE, samples, 100)
    finally:
        conn.close()
    index_bytes = next(s.bytes for s in report.sizes if s.name == designs.BTREE.index_name)
    return Point(reservations, shape.properties, index_bytes, Latency.of(seconds), load(options))


def load(options: Options) -> Throughput | None:
    if options.clients <= 0 or options.pgbench is None:
        return None
    script = measure.pgbench_script(designs.BTREE, (1, 14), options.properties, 100)
    return measure.run_pgbench(
        options.pgbench, options.url, script, options.clients, options.seconds
    )


def print_point(point: Point) -> None:
    lat = point.latency
    line = (
        f"{point.reservations:>12,} reservations  index {point.search_index_bytes / 2**20:8.1f} MiB"
        f"  1 client: p50 {lat.p50_ms:.2f} ms  p99 {lat.p99_ms:.2f} ms  mean {lat.mean_ms:.2f} ms"
    )
    if point.throughput:
        tp = point.throughput
        line += f"  {tp.clients} clients: {tp.tps:,.0f} q/s, p99 {tp.latency.p99_ms:.1f} ms"
    print(line, flush=True)


def parse_args(argv: Sequence[str] | None = None) -> tuple[Options, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database this tool may overwrite")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000, 10_000_000])
    parser.add_argument("--properties", type=int, default=100_000)
    parser.add_argument("--indexes", choices=("search", "full"), default="search")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--clients", type=int, default=100, help="pgbench clients; 0: skip")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--pgbench", default=measure.pgbench_path())
    parser.add_argument("--json", type=Path, help="also write the points here")
    args = parser.parse_args(argv)
    options = Options(
        args.url,
        tuple(args.sizes),
        properties=args.properties,
        indexes=args.indexes,
        samples=args.samples,
        clients=args.clients,
        seconds=args.seconds,
        pgbench=args.pgbench,
    )
    return options, args.json


def main(argv: Sequence[str] | None = None) -> None:
    options, json_path = parse_args(argv)
    conn = connect(options.url)
    try:
        print(f"server: {server_version(conn)}")
    finally:
        conn.close()
    points = []
    for size in options.sizes:
        points.append(measure_size(options, size))
        print_point(points[-1])
    if json_path:
        json_path.write_text(json.dumps([attrs.asdict(p) for p in points], indent=2) + "\n")


if __name__ == "__main__":
    main()
