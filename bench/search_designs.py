"""Compare the three search designs in one run, on the same data.

Designs are measured in order (a) GiST on text, (b) GiST on an integer key,
(c) bounded B-tree probe; before the run the indexes of (b) and (c) are dropped,
so each design is measured with only its own index and those of the designs
before it, and the last one with the full schema in place. Each index build is
timed (the exclusion constraint only if it has to be built). For every sampled
range the three designs must return identical pages.

    python -m bench.search_designs --url postgresql://postgres@127.0.0.1/ota_bench
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path

import attrs
from psycopg2.extensions import connection

from bench import designs, measure, schema
from bench.db import Timing, connect, execute, fetch_all, fetch_value, server_version, timed
from bench.designs import Design
from bench.measure import Latency, Sample, Throughput


@attrs.frozen
class Options:
    url: str
    samples: int = 300
    long_samples: int = 10
    nights: tuple[int, int] = (1, 14)
    limit: int = 100
    clients: int = 100
    seconds: int = 30
    pgbench: str | None = None
    maintenance_work_mem: str = "1GB"
    seed: int = 2021


@attrs.frozen
class DesignResult:
    key: str
    title: str
    index_name: str
    index_bytes: int
    index_build: Timing | None  # None when the index was already there
    uses_its_index: bool
    latency: Latency
    throughput: Throughput | None
    explain: str


@attrs.frozen
class Mismatch:
    sample: Sample
    pages: dict[str, list[str]]


@attrs.frozen
class Report:
    server: str
    properties: int
    reservations: int
    options: Options
    results: list[DesignResult]
    compared_samples: int
    mismatches: list[Mismatch]


def run(options: Options) -> Report:
    conn = connect(options.url, {"maintenance_work_mem": options.maintenance_work_mem})
    try:
        require_property_key(conn)
        for name in (schema.KEY_GIST_NAME, schema.SEARCH_BTREE_NAME):
            execute(conn, f"DROP INDEX IF EXISTS {name}")
        rng = random.Random(options.seed)
        property_ids = [row[0] for row in fetch_all(conn, "SELECT property_id FROM property")]
        typical = measure.random_samples(property_ids, options.samples, options.nights, rng)
        long = measure.random_samples(property_ids, options.long_samples, (15, 365), rng)
        results, pages = [], {}
        for design in designs.ALL:
            result, pages[design.key] = measure_design(conn, design, typical + long, options)
            results.append(result)
        return Report(
            server_version(conn),
            len(property_ids),
            int(fetch_value(conn, "SELECT count(*) FROM reservation")),
            options,
            results,
            len(typical) + len(long),
            find_mismatches(typical + long, pages),
        )
    finally:
        conn.close()


def require_property_key(conn: connection) -> None:
    has_key = fetch_value(
        conn,
        "SELECT count(*) = 2 FROM information_schema.columns "
        "WHERE table_name IN ('property', 'reservation') AND column_name = 'property_key'",
    )
    if not has_key:
        raise SystemExit("no property_key column: generate the data with --property-key")


def measure_design(
    conn: connection, design: Design, samples: list[Sample], options: Options
) -> tuple[DesignResult, list[list[str]]]:
    """Build the design's index if needed, check and time its query, then load it."""
    build = ensure_index(conn, design)
    measure.prepare(conn, design)
    pages, _ = measure.run_samples(conn, design, samples, options.limit)  # warm-up + results
    _, seconds = measure.run_samples(conn, design, samples[: options.samples], options.limit)
    plan = measure.explain(conn, design, samples[0], options.limit)
    result = DesignResult(
        design.key,
        design.title,
        design.index_name,
        int(fetch_value(conn, "SELECT pg_relation_size(%s::regclass)", (design.index_name,))),
        build,
        design.index_name in plan,
        Latency.of(seconds),
        throughput(design, options),
        plan,
    )
    print_result(result)
    return result, pages


def ensure_index(conn: connection, design: Design) -> Timing | None:
    if fetch_value(conn, "SELECT to_regclass(%s) IS NOT NULL", (design.index_name,)):
        return None
    build = timed(conn, design.index.name, design.index.sql)
    execute(conn, schema.ANALYZE.sql)  # statistics of the new index's expression
    return build


def throughput(design: Design, options: Options) -> Throughput | None:
    if options.clients <= 0 or options.pgbench is None:
        return None
    conn = connect(options.url)
    try:
        properties = int(fetch_value(conn, "SELECT max(property_key) FROM property"))
    finally:
        conn.close()
    script = measure.pgbench_script(design, options.nights, properties, options.limit)
    return measure.run_pgbench(
        options.pgbench, options.url, script, options.clients, options.seconds
    )


def find_mismatches(samples: Sequence[Sample], pages: dict[str, list[list[str]]]) -> list[Mismatch]:
    found = []
    for i, sample in enumerate(samples):
        by_design = {key: design_pages[i] for key, design_pages in pages.items()}
        if len({tuple(page) for page in by_design.values()}) > 1:
            found.append(Mismatch(sample, by_design))
    return found


def print_result(result: DesignResult) -> None:
    build = (
        f"built in {result.index_build.seconds:.1f} s" if result.index_build else "already there"
    )
    print(f"({result.key}) {result.title}")
    print(f"    index {result.index_name}: {result.index_bytes / 2**20:,.1f} MiB, {build}")
    print(f"    planner uses it: {result.uses_its_index}")
    lat = result.latency
    print(
        f"    1 client, {lat.count} queries: mean {lat.mean_ms:.2f} ms, p50 {lat.p50_ms:.2f}, "
        f"p90 {lat.p90_ms:.2f}, p99 {lat.p99_ms:.2f}, max {lat.max_ms:.2f}"
    )
    if result.throughput:
        tp = result.throughput
        print(
            f"    {tp.clients} clients, {tp.seconds} s: {tp.tps:,.0f} queries/s, "
            f"p50 {tp.latency.p50_ms:.1f} ms, p99 {tp.latency.p99_ms:.1f} ms"
        )


def print_summary(report: Report) -> None:
    print(f"server: {report.server}")
    print(f"data: {report.properties:,} properties, {report.reservations:,} reservations")
    print(f"correctness: {report.compared_samples} sampled ranges, ", end="")
    print(f"{len(report.mismatches)} with differing pages")
    fastest = min(report.results, key=lambda r: r.latency.mean_ms)
    for result in report.results:
        ratio = result.latency.mean_ms / fastest.latency.mean_ms
        tps = f"{result.throughput.tps:,.0f} q/s" if result.throughput else "-"
        print(f"  ({result.key}) {result.latency.mean_ms:8.2f} ms/query ({ratio:4.1f}x)  {tps}")
    print(f"EXPLAIN (ANALYZE, BUFFERS) of ({fastest.key}):\n{fastest.explain}")


def parse_args(argv: Sequence[str] | None = None) -> tuple[Options, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--samples", type=int, default=300, help="timed random ranges")
    parser.add_argument("--long-samples", type=int, default=10, help="15-365 nights, checked")
    parser.add_argument("--clients", type=int, default=100, help="pgbench clients; 0: skip")
    parser.add_argument("--seconds", type=int, default=30, help="pgbench duration per design")
    parser.add_argument("--pgbench", default=measure.pgbench_path())
    parser.add_argument("--maintenance-work-mem", default="1GB")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    options = Options(
        args.url,
        samples=args.samples,
        long_samples=args.long_samples,
        clients=args.clients,
        seconds=args.seconds,
        pgbench=args.pgbench,
        maintenance_work_mem=args.maintenance_work_mem,
    )
    return options, args.json


def main(argv: Sequence[str] | None = None) -> None:
    options, json_path = parse_args(argv)
    report = run(options)
    print_summary(report)
    if json_path:
        json_path.write_text(json.dumps(attrs.asdict(report), indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
