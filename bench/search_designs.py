"""Compare the search designs in one run, on the same data.

Designs are measured in order: (a) GiST on text, (b) GiST on an integer key,
(c) bounded B-tree probe, (d) the same with an overlap filter for the planner,
(e) the same kept a per-property subquery.
The indexes of (b) and (c) are dropped first, so each design runs with only its
own index and those of the designs before it, and the last ones with the full
migrations' schema in place. Each index build is timed (the exclusion constraint
only if it has to be built). Each design runs in both calling modes (see
`bench.measure`), and every sampled range must give identical pages everywhere.

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
from bench.db import (
    Timing,
    add_setting_option,
    connect,
    execute,
    fetch_all,
    fetch_value,
    server_version,
    timed,
)
from bench.designs import Design
from bench.measure import Latency, PgbenchRun, Sample, Throughput

WARM_UP = 20  # queries run before timing, per design and mode
# Parallel workers cost more to start than a one-page search costs to run.
DEFAULT_SETTINGS = {"max_parallel_workers_per_gather": "0"}


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
    settings: dict[str, str] = attrs.field(factory=lambda: dict(DEFAULT_SETTINGS))
    designs: str = "abcde"  # which designs to measure, by key
    seed: int = 2021


@attrs.frozen
class ModeResult:
    mode: str
    uses_its_index: bool
    latency: Latency
    throughput: Throughput | None
    explain: str


@attrs.frozen
class DesignResult:
    key: str
    title: str
    index_name: str
    index_bytes: int
    index_build: Timing | None  # None when the index was already there
    modes: list[ModeResult]


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
        for design in (d for d in designs.ALL if d.key in options.designs):
            build = ensure_index(conn, design)
            result, design_pages = measure_design(design, build, typical + long, options)
            results.append(result)
            pages.update(design_pages)
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


def ensure_index(conn: connection, design: Design) -> Timing | None:
    if fetch_value(conn, "SELECT to_regclass(%s) IS NOT NULL", (design.index_name,)):
        return None
    build = timed(conn, design.index.name, design.index.sql)
    execute(conn, schema.ANALYZE.sql)  # statistics of the new index's expression
    return build


def measure_design(
    design: Design, build: Timing | None, samples: list[Sample], options: Options
) -> tuple[DesignResult, dict[str, list[list[str]]]]:
    """Check and time the design's query in each mode, then load it with pgbench."""
    modes, pages = [], {}
    for mode in measure.MODES:
        mode_result, pages[f"{design.key}/{mode}"] = measure_mode(design, mode, samples, options)
        modes.append(mode_result)
    conn = connect(options.url)
    try:
        index_bytes = fetch_value(
            conn, "SELECT pg_relation_size(%s::regclass)", (design.index_name,)
        )
    finally:
        conn.close()
    result = DesignResult(
        design.key, design.title, design.index_name, int(index_bytes), build, modes
    )
    print_result(result)
    return result, pages


def measure_mode(
    design: Design, mode: str, samples: list[Sample], options: Options
) -> tuple[ModeResult, list[list[str]]]:
    """Warm up (and check the long stays), then time the typical ones."""
    typical, long = samples[: options.samples], samples[options.samples :]
    conn = connect(options.url, {**options.settings, **measure.mode_settings(mode)})
    try:
        if mode == "prepared":
            measure.prepare(conn, design)
        measure.run_samples(conn, design, mode, typical[:WARM_UP], options.limit)
        long_pages, _ = measure.run_samples(conn, design, mode, long, options.limit)
        pages, seconds = measure.run_samples(conn, design, mode, typical, options.limit)
        plan = measure.explain(conn, design, mode, samples[0], options.limit)
    finally:
        conn.close()
    result = ModeResult(
        mode,
        design.index_name in plan,
        Latency.of(seconds),
        throughput(design, mode, options),
        plan,
    )
    return result, pages + long_pages


def throughput(design: Design, mode: str, options: Options) -> Throughput | None:
    if options.clients <= 0 or options.pgbench is None:
        return None
    conn = connect(options.url)
    try:
        properties = int(fetch_value(conn, "SELECT max(property_key) FROM property"))
    finally:
        conn.close()
    script = measure.pgbench_script(design, options.nights, properties, options.limit)
    run = PgbenchRun(
        options.pgbench, options.url, options.clients, options.seconds, options.settings
    )
    return measure.run_pgbench(run, script, mode)


def find_mismatches(samples: Sequence[Sample], pages: dict[str, list[list[str]]]) -> list[Mismatch]:
    found = []
    for i, sample in enumerate(samples):
        by_run = {run: run_pages[i] for run, run_pages in pages.items()}
        if len({tuple(page) for page in by_run.values()}) > 1:
            found.append(Mismatch(sample, by_run))
    return found


def print_result(result: DesignResult) -> None:
    build = (
        f"built in {result.index_build.seconds:.1f} s" if result.index_build else "already there"
    )
    print(f"({result.key}) {result.title}")
    print(f"    index {result.index_name}: {result.index_bytes / 2**20:,.1f} MiB, {build}")
    for mode in result.modes:
        lat = mode.latency
        line = (
            f"    {mode.mode:8} uses its index: {mode.uses_its_index!s:5}  1 client: "
            f"mean {lat.mean_ms:.2f} ms, p50 {lat.p50_ms:.2f}, p99 {lat.p99_ms:.2f}, "
            f"max {lat.max_ms:.2f}"
        )
        if mode.throughput:
            tp = mode.throughput
            line += (
                f"  | {tp.clients} clients: {tp.tps:,.0f} q/s, p50 {tp.latency.p50_ms:.1f} ms,"
                f" p99 {tp.latency.p99_ms:.1f} ms"
            )
        print(line, flush=True)


def print_summary(report: Report) -> None:
    print(f"server: {report.server}")
    print(f"data: {report.properties:,} properties, {report.reservations:,} reservations")
    print(f"settings: {report.options.settings}")
    print(
        f"correctness: {report.compared_samples} sampled ranges, "
        f"{len(report.mismatches)} with differing pages"
    )
    for result in report.results:
        for mode in result.modes:
            tps = f"{mode.throughput.tps:8,.0f} q/s" if mode.throughput else "-"
            print(f"  ({result.key}) {mode.mode:8} {mode.latency.mean_ms:8.2f} ms/query  {tps}")
    for result in report.results:
        for mode in result.modes:
            print(f"EXPLAIN (ANALYZE, BUFFERS) of ({result.key}) {mode.mode}:\n{mode.explain}")


def parse_args(argv: Sequence[str] | None = None) -> tuple[Options, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--samples", type=int, default=300, help="timed random ranges")
    parser.add_argument("--long-samples", type=int, default=10, help="15-365 nights, checked")
    parser.add_argument("--clients", type=int, default=100, help="pgbench clients; 0: skip")
    parser.add_argument("--seconds", type=int, default=30, help="pgbench duration per run")
    parser.add_argument("--pgbench", default=measure.pgbench_path())
    parser.add_argument("--maintenance-work-mem", default="1GB")
    add_setting_option(parser, f"a session setting for the searches (default {DEFAULT_SETTINGS})")
    parser.add_argument("--designs", default="abcde", help="keys of the designs to run")
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
        settings={**DEFAULT_SETTINGS, **dict(args.setting)},
        designs=args.designs,
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
