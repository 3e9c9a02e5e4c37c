"""The gap upkeep's extra work per operation, one client, measured by the server.

Cycles of book (2032), move (2034) and cancel, each operation its own
transaction, on random properties, with every statement run under
`EXPLAIN (ANALYZE, FORMAT JSON)`: the server's planning and
execution time (AFTER triggers included) and, apart, the triggers' own time.
The client's wall time per operation includes the round trips and COMMIT.
Ways take turns in blocks of cycles, so a change of the machine's load hits
them alike; medians over all cycles are reported.

    python -m bench.write_profile --url URL --blocks 10 --cycles 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from psycopg2.extensions import connection

from bench import write_sql
from bench.db import add_setting_option, connect, fetch_all
from bench.write_path import install

OPERATIONS = ("book", "move", "cancel")


def explain_json(conn: connection, sql: str, params: dict[str, Any]) -> tuple[float, float]:
    """Server milliseconds of one statement (planning + execution) and of its triggers."""
    with conn.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        (plans,) = cur.fetchall()[0]
    plan = plans[0]
    triggers = sum(t["Time"] for t in plan.get("Triggers", []))
    return plan["Planning Time"] + plan["Execution Time"], triggers


def cycle(conn: connection, way: str, params: dict[str, Any]) -> dict[str, tuple[float, ...]]:
    """One booking, move and cancel: per operation (server ms, trigger ms, wall ms)."""
    measured = {}
    for operation in OPERATIONS:
        started = time.perf_counter()
        server = triggers = 0.0
        for statement in write_sql.WAYS[way][operation]:
            spent, in_triggers = explain_json(conn, statement, params)
            server += spent
            triggers += in_triggers
        conn.commit()
        measured[operation] = (server, triggers, (time.perf_counter() - started) * 1000)
    return measured


def profile(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    conn = connect(args.url, dict(args.setting))
    conn.autocommit = False
    ids = [row[0] for row in fetch_all(conn, "SELECT property_id FROM property")]
    conn.commit()
    samples: dict[str, list[dict[str, tuple[float, ...]]]] = {way: [] for way in args.ways}
    try:
        for block in range(args.blocks):
            for way in args.ways if block % 2 == 0 else args.ways[::-1]:
                install(args.url, way)
                for _ in range(args.cycles):
                    params = {
                        "p": rng.choice(ids),
                        "start": dt.date(2032, 1, 1) + dt.timedelta(days=rng.randrange(700)),
                        "nights": rng.randint(1, 14),
                        "new_start": dt.date(2034, 1, 1) + dt.timedelta(days=rng.randrange(700)),
                        "new_nights": rng.randint(1, 14),
                        "region": dt.date(2032, 1, 1),
                    }
                    samples[way].append(cycle(conn, way, params))
    finally:
        conn.close()
        install(args.url, "iii")
    return {way: summary(cycles) for way, cycles in samples.items()}


def summary(cycles: Sequence[dict[str, tuple[float, ...]]]) -> dict[str, dict[str, float]]:
    """Per operation: the median server, trigger and wall milliseconds."""
    return {
        operation: {
            name: statistics.median(c[operation][i] for c in cycles)
            for i, name in enumerate(("server_ms", "trigger_ms", "wall_ms"))
        }
        for operation in OPERATIONS
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--ways", nargs="+", default=["none", "i", "ii", "iii"])
    parser.add_argument("--blocks", type=int, default=10, help="turns of each way")
    parser.add_argument("--cycles", type=int, default=20, help="book-move-cancel per turn")
    parser.add_argument("--seed", type=int, default=11)
    add_setting_option(parser, "a session setting, e.g. synchronous_commit=off")
    parser.add_argument("--json", type=Path, help="also write the results here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    results = profile(args)
    for way, operations in results.items():
        cells = "  ".join(
            f"{op}: {v['server_ms']:.3f} ms server ({v['trigger_ms']:.3f} in triggers), "
            f"{v['wall_ms']:.2f} ms wall"
            for op, v in operations.items()
        )
        print(f"{way:>5}  {cells}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
