"""Search latency of the chosen design as reservations grow.

The chosen design is the bounded B-tree probe kept a per-property subquery
(design e of `bench.search_designs`). For each size the database is
regenerated, either with the same properties (more stays per property over the
same years: a page needs more probes as occupancy grows) or with
`--stays-per-property` (properties grow with the size, occupancy stays), then the search is
timed with one client and loaded with pgbench, in both calling modes. The
exclusion constraint is left out by default (`--indexes search`): the query does
not use it and building it dominates the run.

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
from bench.measure import Latency, PgbenchRun, Sample, Throughput
from bench.search_designs import DEFAULT_SETTINGS

CHOSEN = designs.BTREE_PER_ROW


@attrs.frozen
class ModePoint:
    mode: str
    latency: Latency
    throughput: Throughput | None


@attrs.frozen
class Point:
    reservations: int
    properties: int
    search_index_bytes: int
    modes: list[ModePoint]


@attrs.frozen
class Options:
    url: str
    sizes: tuple[int, ...]
    properties: int = 100_000
    stays_per_property: int | None = None  # if set, the property count follows the size
    indexes: str = "search"
    samples: int = 300
    clients: int = 100
    seconds: int = 20
    pgbench: str | None = None
    seed: int = 2021


def property_count(options: Options, reservations: int) -> int:
    if options.stays_per_property is None:
        return options.properties
    return max(1, reservations // options.stays_per_property)


def measure_size(options: Options, reservations: int) -> Point:
    properties = property_count(options, reservations)
    shape = generate.Shape(properties, reservations, property_key=True, indexes=options.indexes)
    settings = {"maintenance_work_mem": "1GB", "work_mem": "1GB"}
    report = generate.generate(options.url, shape, settings, replace=True)
    index_bytes = next(s.bytes for s in report.sizes if s.name == CHOSEN.index_name)
    conn = connect(options.url)
    try:
        ids = [row[0] for row in fetch_all(conn, "SELECT property_id FROM property")]
    finally:
        conn.close()
    samples = measure.random_samples(ids, options.samples, (1, 14), random.Random(options.seed))
    modes = [measure_mode(options, mode, samples, properties) for mode in measure.MODES]
    return Point(reservations, properties, index_bytes, modes)


def measure_mode(options: Options, mode: str, samples: list[Sample], properties: int) -> ModePoint:
    conn = connect(options.url, {**DEFAULT_SETTINGS, **measure.mode_settings(mode)})
    try:
        if mode == "prepared":
            measure.prepare(conn, CHOSEN)
        measure.run_samples(conn, CHOSEN, mode, samples, 100)  # warm-up
        _, seconds = measure.run_samples(conn, CHOSEN, mode, samples, 100)
    finally:
        conn.close()
    return ModePoint(mode, Latency.of(seconds), load(options, mode, properties))


def load(options: Options, mode: str, properties: int) -> Throughput | None:
    if options.clients <= 0 or options.pgbench is None:
        return None
    script = measure.pgbench_script(CHOSEN, (1, 14), properties, 100)
    run = PgbenchRun(
        options.pgbench, options.url, options.clients, options.seconds, DEFAULT_SETTINGS
    )
    return measure.run_pgbench(run, script, mode)


def print_point(point: Point) -> None:
    print(
        f"{point.reservations:>12,} reservations, {point.properties:,} properties, "
        f"search index {point.search_index_bytes / 2**20:,.1f} MiB"
    )
    for mode in point.modes:
        lat = mode.latency
        line = (
            f"    {mode.mode:8} 1 client: p50 {lat.p50_ms:.2f} ms, p99 {lat.p99_ms:.2f} ms, "
            f"mean {lat.mean_ms:.2f} ms"
        )
        if mode.throughput:
            tp = mode.throughput
            line += f"  | {tp.clients} clients: {tp.tps:,.0f} q/s, p99 {tp.latency.p99_ms:.1f} ms"
        print(line, flush=True)


def parse_args(argv: Sequence[str] | None = None) -> tuple[Options, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database this tool may overwrite")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000, 10_000_000])
    counts = parser.add_mutually_exclusive_group()
    counts.add_argument("--properties", type=int, default=100_000, help="the same at every size")
    counts.add_argument(
        "--stays-per-property", type=int, help="instead: properties = size / this (same density)"
    )
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
        stays_per_property=args.stays_per_property,
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
        print(f"server: {server_version(conn)}", flush=True)
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
