"""The search matrix: catalogue size x occupancy x nights, every design in one run.

`generate` loads a catalogue (one season per occupancy level, so one load serves
every occupancy), then derives the free gaps as migration 0005 does
(`bench.schema.free_gap_steps`), each step timed. `measure` times every design cell by cell
with one client (p50/p99, rows, 404s, identical pages), then optionally their
throughput with pgbench, and writes JSON, a Markdown table and an SVG plot.

    python -m bench.search_matrix generate --url URL --properties 100000
    python -m bench.search_matrix measure --url URL --json .ota/bench/matrix-100k.json
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from bench import gap_schema, matrix_data, matrix_plot, schema
from bench.db import connect, fetch_all, mebibytes, relation_sizes, server_version, timed
from bench.matrix_designs import by_keys
from bench.matrix_run import SESSION, Budget, Cell, CellResult, run_cell, samples_for
from bench.matrix_seasons import OCCUPANCIES, seasons
from bench.matrix_throughput import Case, Load, run_throughput
from ota_adapters.postgres.free_gaps import CHUNK_SIZE

BUILD = {"maintenance_work_mem": "1GB", "work_mem": "1GB"}
NIGHTS = (1, 7, 14)


def generate(args: argparse.Namespace) -> None:
    conn = connect(args.url, BUILD)
    try:
        started = time.perf_counter()
        timings = matrix_data.load(
            conn, args.properties, seasons(), args.seed, exclusion=not args.without_exclusion
        )
        for step in schema.free_gap_steps():
            timings.append(timed(conn, step.name, step.sql, None))
        if args.chunk_size != CHUNK_SIZE:
            for step in gap_schema.RECHUNK:
                timings.append(timed(conn, step.name, step.sql, {"chunk_size": args.chunk_size}))
        for timing in timings:
            print(f"  {timing.seconds:9.1f} s  {timing.name}", flush=True)
        sizes = relation_sizes(conn, ["property", "reservation", "property_gap"])
        for size in sizes:
            print(f"  {mebibytes(size.bytes):>14}  {size.kind} {size.name}")
        counts = fetch_all(
            conn, "SELECT (SELECT count(*) FROM reservation), (SELECT count(*) FROM property_gap)"
        )[0]
        print(f"  {counts[0]:,} stays, {counts[1]:,} gaps; {time.perf_counter() - started:.0f} s")
        if args.json:
            report = {"server": server_version(conn), "properties": args.properties,
                      "chunk_size": args.chunk_size, "seed": args.seed, "stays": counts[0],
                      "exclusion": not args.without_exclusion,
                      "gaps": counts[1], "timings": [attrs.asdict(t) for t in timings],
                      "sizes": [attrs.asdict(s) for s in sizes]}  # fmt: skip
            args.json.write_text(json.dumps(report, indent=2) + "\n")
    finally:
        conn.close()


def rechunk(args: argparse.Namespace) -> None:
    conn = connect(args.url, BUILD)
    try:
        params = {"chunk_size": args.chunk_size}
        steps = [*gap_schema.RECHUNK, gap_schema.VACUUM_GAPS]
        for step in steps:
            timing = timed(conn, step.name, step.sql, params if "%(" in step.sql else None)
            print(f"  {timing.seconds:9.1f} s  {timing.name}", flush=True)
    finally:
        conn.close()


def measure(args: argparse.Namespace) -> None:
    conn = connect(args.url, SESSION)
    try:
        ids = [row[0] for row in fetch_all(conn, "SELECT property_id FROM property")]
        rng = random.Random(args.seed)
        budget = Budget(
            probe_budget=args.probe_budget,
            sparse_cap=args.sparse_cap,
            seconds_per_design=args.cell_seconds,
            min_samples=args.min_samples,
            explain=args.explain,
        )
        designs = by_keys(args.designs)
        by_occupancy = {s.occupancy: s for s in seasons()}
        results: list[CellResult] = []
        for occupancy in args.occupancies:
            for nights in args.nights:
                samples = samples_for(by_occupancy[occupancy], nights, ids, args.samples, rng)
                result = run_cell(conn, Cell(occupancy, nights), samples, designs, budget)
                results.append(result)
                print(matrix_plot.cell_line(result), flush=True)
        load = Load(args.url, args.clients, args.pgbench_seconds, len(ids), budget)
        throughput = [
            run_throughput(load, case, design, round_ + 1)
            for round_ in range(args.rounds if args.clients > 0 else 0)
            for case in (Case("busy", args.busy), Case("mostly free", args.mostly_free))
            # every other round in the opposite order, so a change of load hits all alike
            for design in (designs if round_ % 2 == 0 else designs[::-1])
        ]
        report = {"server": server_version(conn), "properties": len(ids), "session": SESSION,
                  "samples": args.samples, "budget": attrs.asdict(budget),
                  "cells": [attrs.asdict(r) for r in results],
                  "throughput": [attrs.asdict(t) for t in throughput]}  # fmt: skip
    finally:
        conn.close()
    table = matrix_plot.markdown(results, throughput, len(ids))
    print(table)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
        args.json.with_suffix(".md").write_text(table)
        args.json.with_suffix(".svg").write_text(matrix_plot.svg(results, len(ids)))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="load a catalogue and derive the gap tables")
    gen.add_argument("--properties", type=int, default=100_000)
    gen.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="properties per chunk")
    gen.add_argument("--seed", type=int, default=2030)
    gen.add_argument(
        "--without-exclusion",
        action="store_true",
        help="skip the exclusion constraint (searches do not read it; the write path needs it)",
    )
    chunks = commands.add_parser("rechunk", help="draw the chunks anew at another size")
    chunks.add_argument("--chunk-size", type=int, required=True)
    run = commands.add_parser("measure", help="time every design in every cell")
    run.add_argument("--designs", default="ag", help="a: before issue 21, g: the service now")
    run.add_argument("--samples", type=int, default=300, help="per cell")
    run.add_argument("--cell-seconds", type=float, default=10.0, help="per design and cell")
    run.add_argument("--min-samples", type=int, default=20, help="even past the time budget")
    run.add_argument("--probe-budget", type=int, default=400)
    run.add_argument("--sparse-cap", type=int, default=500, help="(f), (g): gaps read unordered")
    run.add_argument("--occupancies", type=float, nargs="+", default=list(OCCUPANCIES))
    run.add_argument("--nights", type=int, nargs="+", default=list(NIGHTS))
    run.add_argument("--explain", default="adefg", help="designs whose slowest plan is kept")
    run.add_argument("--clients", type=int, default=16, help="pgbench clients; 0: skip")
    run.add_argument("--pgbench-seconds", type=int, default=15)
    run.add_argument("--rounds", type=int, default=2, help="pgbench runs per design and case")
    run.add_argument("--busy", type=float, default=0.95, help="occupancy of the busy case")
    run.add_argument("--mostly-free", type=float, default=0.30, help="and of the other one")
    run.add_argument("--seed", type=int, default=7)
    for command in (gen, chunks, run):
        command.add_argument("--url", required=True)
        command.add_argument("--json", type=Path, help="write the report here (.md, .svg beside)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    {"generate": generate, "rechunk": rechunk, "measure": measure}[args.command](args)


if __name__ == "__main__":
    main()
