"""What keeping `property_gap` exact costs bookings, date changes and cancellations, and
whether it stays exact when they race.

`cost`: pgbench clients each book a random property's stay (2032), move it (2034)
and cancel it, three transactions, under each way of `bench.write_sql`, ways
interleaved round by round; reported per operation from pgbench's per-statement
latencies. `race`: threads book, move and cancel stays of a handful of properties
in one 60-night window for a while, then every one of their gaps is compared with
a recomputation (`DRIFT`); refusals and errors are counted by SQLSTATE.

    python -m bench.write_path --url URL cost --ways none i ii iii
    python -m bench.write_path --url URL race --ways i ii iii unlocked
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import psycopg2

from bench import gap_schema, gap_upkeep, write_sql
from bench.db import add_setting_option, connect, execute, fetch_all, fetch_value
from bench.write_pgbench import run_cost

REGION = dt.date(2032, 1, 1)
WINDOW_NIGHTS = 60
OPERATIONS = ("book", "book", "move", "cancel")  # bookings twice as often


def install(url: str, way: str) -> None:
    conn = connect(url)
    try:
        locking = write_sql.UPKEEP[way]
        sql = (
            gap_upkeep.DROP_TRIGGERS
            if locking is None
            else gap_upkeep.upkeep(trigger_locks=locking).sql
        )
        execute(conn, sql, None)
    finally:
        conn.close()


@attrs.frozen
class Racer:
    """One racing thread's database, way, properties, deadline and seed."""

    url: str
    way: str
    ids: Sequence[str]
    until: float
    seed: int


def race_worker(racer: Racer, outcomes: Counter[str]) -> None:
    url, way, ids, until = racer.url, racer.way, racer.ids, racer.until
    rng = random.Random(racer.seed)
    conn = psycopg2.connect(url)
    try:
        while time.monotonic() < until:
            operation = rng.choice(OPERATIONS)
            params: dict[str, Any] = {
                "p": rng.choice(ids),
                "start": REGION + dt.timedelta(days=rng.randrange(WINDOW_NIGHTS)),
                "nights": rng.randint(1, 7),
                "new_start": REGION + dt.timedelta(days=rng.randrange(WINDOW_NIGHTS)),
                "new_nights": rng.randint(1, 7),
                "region": REGION,
            }
            try:
                statements = write_sql.WAYS[way][operation]
                writes_stay = next(s for s in statements if s is not write_sql.LOCK)
                with conn.cursor() as cur:
                    for statement in statements:
                        cur.execute(statement, params)
                        if statement is writes_stay:
                            done = cur.rowcount > 0
                conn.commit()
                outcomes[f"{operation} {'done' if done else 'nothing'}"] += 1
            except psycopg2.Error as error:
                conn.rollback()
                outcomes[f"{operation} error {error.pgcode}"] += 1
    finally:
        conn.close()


def race(url: str, way: str, properties: int, threads: int, seconds: float) -> dict[str, Any]:
    """Race writers of `properties` properties under `way`; the outcomes and the drift."""
    admin = connect(url)
    try:
        ids = [row[0] for row in fetch_all(
            admin, "SELECT property_id FROM bench_cursor WHERE k BETWEEN 1 AND %s", (properties,)
        )]  # fmt: skip
        execute(admin, gap_schema.REPAIR, {"ids": ids})
        install(url, way)
        counts: list[Counter[str]] = [Counter() for _ in range(threads)]
        until = time.monotonic() + seconds
        workers = [
            threading.Thread(target=race_worker, args=(Racer(url, way, ids, until, n), counts[n]))
            for n in range(threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        outcomes = sum(counts, Counter())
        drift = int(fetch_value(admin, gap_schema.DRIFT, {"ids": ids}))
        execute(admin, gap_schema.REPAIR, {"ids": ids})
    finally:
        admin.close()
    install(url, "iii")
    result = {"way": way, "threads": threads, "seconds": seconds, "properties": properties,
              "outcomes": dict(sorted(outcomes.items())), "drifted_rows": drift}  # fmt: skip
    print(json.dumps(result), flush=True)
    return result


def cost(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for round_ in range(args.rounds):
        ways = args.ways if round_ % 2 == 0 else list(reversed(args.ways))
        for way in ways:
            install(args.url, way)
            result = run_cost(args.url, way, args.clients, args.seconds, dict(args.setting))
            results.append({"round": round_ + 1, **result})
            print(json.dumps(results[-1]), flush=True)
    install(args.url, "iii")
    return results


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--json", type=Path, help="also write the results here")
    commands = parser.add_subparsers(dest="command", required=True)
    timing = commands.add_parser("cost", help="pgbench: book, move, cancel under each way")
    timing.add_argument("--ways", nargs="+", default=["none", "i", "ii", "iii"])
    timing.add_argument("--rounds", type=int, default=2)
    timing.add_argument("--seconds", type=int, default=15)
    timing.add_argument("--clients", type=int, default=8)
    add_setting_option(timing, "a session setting, e.g. synchronous_commit=off")
    racing = commands.add_parser("race", help="threads racing on a few properties")
    racing.add_argument("--ways", nargs="+", default=["i", "ii", "iii", "unlocked"])
    racing.add_argument("--properties", type=int, default=5)
    racing.add_argument("--threads", type=int, default=8)
    racing.add_argument("--seconds", type=float, default=10)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.command == "cost":
        results = cost(args)
    else:
        results = [race(args.url, way, args.properties, args.threads, args.seconds)
                   for way in args.ways]  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
