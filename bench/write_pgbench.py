"""One pgbench run of the write path under one way: book, move, cancel, as three transactions.

Each client picks a random property (`bench_cursor`), books a stay of 1-14 nights
in 2032, moves it to 2034 and cancels it, so every cycle leaves the gaps as it
found them whichever way ran. Values are inlined as psycopg2 would (simple
protocol). pgbench's per-statement latencies (`-r`) give each operation's cost:
its statements, BEGIN and COMMIT included.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench import write_sql
from bench.db import connect, fetch_value
from bench.matrix_data import CURSOR_TABLE
from bench.measure import pgbench_path

VALUES = {
    "p": "':p'",
    "start": "(date '2032-01-01' + :d)",
    "nights": ":n",
    "new_start": "(date '2034-01-01' + :m)",
    "new_nights": ":n2",
    "region": "'2032-01-01'",
}


def inline(sql: str) -> str:
    """A statement on one line with pgbench's variables in place of psycopg2's placeholders."""
    for name, value in VALUES.items():
        sql = sql.replace(f"%({name})s", value)
    return " ".join(sql.split()) + ";"


def script(way: str, properties: int) -> str:
    lines = [
        f"\\set k random(1, {properties})",
        "\\set d random(0, 700)",
        "\\set n random(1, 14)",
        "\\set m random(0, 700)",
        "\\set n2 random(1, 14)",
        f"SELECT property_id AS p FROM {CURSOR_TABLE} WHERE k = :k \\gset",  # noqa: S608
    ]
    for operation in ("book", "move", "cancel"):
        lines += ["BEGIN;", *map(inline, write_sql.WAYS[way][operation]), "COMMIT;"]
    return "\n".join(lines) + "\n"


def per_operation(report: str) -> dict[str, float]:
    """Milliseconds per operation from pgbench's `-r` report, in script order."""
    latencies = re.findall(r"^\s+([\d.]+)\s+\d+\s+(\S.*)$", report, flags=re.MULTILINE)
    totals: dict[str, float] = {}
    operation = iter(("book", "move", "cancel"))
    current = None
    for latency, text in latencies:
        if text.startswith("BEGIN"):
            current = next(operation)
        if current is not None:
            totals[current] = totals.get(current, 0.0) + float(latency)
        if text.startswith("COMMIT"):
            current = None
    return totals


def run_cost(
    url: str, way: str, clients: int, seconds: int, settings: Mapping[str, str]
) -> dict[str, Any]:
    pgbench = pgbench_path()
    if pgbench is None:
        raise SystemExit("pgbench not found")
    with tempfile.TemporaryDirectory(prefix="ota-write-") as work:
        path = Path(work) / "write.sql"
        properties = _count(url)
        path.write_text(script(way, properties))
        command = [pgbench, "--no-vacuum", "--protocol=simple", f"--client={clients}",
                   "--jobs=2", f"--time={seconds}", "--report-per-command",
                   "--failures-detailed", f"--file={path}", url]  # fmt: skip
        options = " ".join(f"-c {name}={value}" for name, value in settings.items())
        env = {**os.environ, "PGOPTIONS": options}
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    if done.returncode != 0 or tps is None:
        raise RuntimeError(f"pgbench failed:\n{done.stdout}\n{done.stderr}")
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    return {"way": way, "clients": clients, "seconds": seconds, "settings": dict(settings),
            "cycles_per_second": float(tps.group(1)),
            "failed": int(failed.group(1)) if failed else 0,
            "ms": per_operation(done.stdout)}  # fmt: skip


def _count(url: str) -> int:
    conn = connect(url)
    try:
        return int(fetch_value(conn, f"SELECT max(k) FROM {CURSOR_TABLE}"))  # noqa: S608
    finally:
        conn.close()
