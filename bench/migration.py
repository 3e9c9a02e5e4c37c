"""Time the legacy migration (Alembic 0001 to head: ids, then free gaps) on generated legacy data.

Fills the database in the legacy shape (`bench.generate --legacy`), or reuses legacy
tables already there with `--reuse`, then runs the project's own upgrade,
`ota_adapters.postgres.migration.migrate` (what `ota migrate` runs), and times it:

- every statement the migration sends, from SQLAlchemy's cursor events;
- the steps inside one statement (the `ALTER TABLE` that rewrites the table, builds
  the primary key and the exclusion constraint and validates the foreign key), from
  the server's `DEBUG1` messages ("rewriting table", "building index", "validating
  foreign key constraint"), which the session receives as they happen
  (`client_min_messages=debug1`, the connection in psycopg2's polling mode).

The migration's SQL and settings are left as they are: `--setting` adds session
settings (e.g. `maintenance_work_mem=1GB`) to compare. Afterwards the result is
checked (row count unchanged, ids non-null and unique and equal to Python's
`legacy_reservation_id` on a sample, constraints in place) and sizes reported.

    python -m bench.migration --url postgresql://postgres@127.0.0.1/ota_migration \\
        --properties 100000 --reservations 10000000 --json .ota/bench/migration.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import re
import shlex
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import psycopg2.extensions
import psycopg2.extras
import sqlalchemy as sa

from bench import generate
from bench.db import (
    RelationSize,
    connect,
    execute,
    fetch_all,
    fetch_value,
    mebibytes,
    relation_sizes,
    server_version,
)
from bench.schema import TABLES
from ota_adapters.ids import legacy_reservation_id
from ota_adapters.postgres.legacy_checks import CHECKS
from ota_adapters.postgres.migration import migrate

SHOWN_SETTINGS = (
    "maintenance_work_mem",
    "max_parallel_maintenance_workers",
    "work_mem",
    "shared_buffers",
    "synchronous_commit",
)

# Server messages (DEBUG1) that start a step inside a statement.
PHASE_MESSAGES = (
    (re.compile(r'rewriting table "(?P<name>[^"]+)"'), "rewrite table {name}"),
    (re.compile(r'verifying table "(?P<name>[^"]+)"'), "scan table {name} (verify constraints)"),
    (re.compile(r'building index "(?P<name>[^"]+)" on table "(?P<table>[^"]+)"'), "build {name}"),
    (re.compile(r'validating foreign key constraint "(?P<name>[^"]+)"'), "validate {name}"),
)


@attrs.frozen
class Machine:
    nproc: int
    cpu: str
    memory_kib: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    kernel: str


@attrs.frozen
class Phase:
    """A step inside one statement, from one server message to the next."""

    name: str
    seconds: float


@attrs.frozen
class Statement:
    label: str
    sql: str
    seconds: float
    phases: list[Phase]


@attrs.frozen
class Verification:
    rows_before: int
    rows_after: int
    null_ids: int
    distinct_ids: int
    sample_ids_match_python: int
    sample_size: int
    constraints: dict[str, str]
    revision: list[str]

    def passed(self) -> bool:
        return (
            self.rows_before == self.rows_after == self.distinct_ids
            and self.null_ids == 0
            and self.sample_ids_match_python == self.sample_size
            and {"reservation_pkey", "reservation_no_overlap"} <= set(self.constraints)
        )


@attrs.frozen
class Report:
    date: str
    command: str
    machine: Machine
    server: str
    settings: dict[str, str]
    added_settings: dict[str, str]
    properties: int
    reservations: int
    generated: generate.Report | None
    upgrade_seconds: float
    statements: list[Statement]
    steps: dict[str, float]
    verification: Verification
    sizes_before: list[RelationSize]
    sizes_after: list[RelationSize]


# --- instrumenting the migration's session ------------------------------------------


class _TimedNotices:
    """psycopg2's `connection.notices`, also noting when each message arrived.

    Not a list: psycopg2 appends to a real list without calling `append`.
    SQLAlchemy logs and empties `pending` after each statement; `arrivals` keeps them.
    """

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.arrivals: list[tuple[float, str]] = []

    def append(self, message: str) -> None:
        self.arrivals.append((time.perf_counter(), str(message).strip()))
        self.pending.append(message)

    def __iter__(self) -> Iterator[str]:
        return iter(self.pending)

    def __len__(self) -> int:
        return len(self.pending)

    def __setitem__(self, index: slice, value: list[str]) -> None:
        self.pending[index] = value


@attrs.define
class _Recorder:
    added_settings: dict[str, str]
    statements: list[tuple[str, float, float]] = attrs.Factory(list)
    notices: _TimedNotices = attrs.Factory(_TimedNotices)
    settings: dict[str, str] = attrs.Factory(dict)
    _started: dict[int, float] = attrs.Factory(dict)

    def on_connect(self, dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.notices = self.notices
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET client_min_messages = debug1")
            for name, value in self.added_settings.items():
                cursor.execute("SELECT set_config(%s, %s, false)", (name, value))
            cursor.execute(
                "SELECT name, current_setting(name) FROM unnest(%s::text[]) AS name",
                (list(SHOWN_SETTINGS),),
            )
            self.settings = dict(cursor.fetchall())
        dbapi_connection.commit()  # or the pool's rollback would undo the settings

    def before(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        self._started[id(cursor)] = time.perf_counter()

    def after(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        started = self._started.pop(id(cursor))
        self.statements.append((statement, started, time.perf_counter()))


def run_instrumented(url: str, added_settings: dict[str, str]) -> tuple[_Recorder, float]:
    """Run the migration as `ota migrate` does, recording statements and server messages."""
    # Polling mode: the server's messages reach the recorder as they are sent, not at the end.
    psycopg2.extensions.set_wait_callback(psycopg2.extras.wait_select)
    recorder = _Recorder(added_settings)
    hooks = (
        (sa.pool.Pool, "connect", recorder.on_connect),
        (sa.engine.Engine, "before_cursor_execute", recorder.before),
        (sa.engine.Engine, "after_cursor_execute", recorder.after),
    )
    for target, name, hook in hooks:
        sa.event.listen(target, name, hook)
    try:
        started = time.perf_counter()
        migrate(url)
        return recorder, time.perf_counter() - started
    finally:
        for target, name, hook in hooks:
            sa.event.remove(target, name, hook)


def _phase_name(message: str) -> str | None:
    for pattern, name in PHASE_MESSAGES:
        found = pattern.search(message)
        if found:
            return name.format(**found.groupdict())
    return None


def _phases(start: float, end: float, notices: Sequence[tuple[float, str]]) -> list[Phase]:
    marks = [
        (at, name)
        for at, message in notices
        if start <= at <= end and (name := _phase_name(message)) is not None
    ]
    if not marks:
        return []
    bounds = [(start, "catalog changes, before the first scan"), *marks, (end, "")]
    return [Phase(name, following[0] - at) for (at, name), following in itertools.pairwise(bounds)]


def label(sql: str) -> str:
    """A short name for one statement of the migration."""
    for check in CHECKS:
        if sql.startswith(check.query):
            return f"check: {check.problem}"
    flat = " ".join(sql.split())
    known = (
        ("LOCK TABLE", "lock tables"),
        ("UPDATE reservation SET reservation_id", "id backfill (UPDATE, SHA-256 per row)"),
        ("CREATE INDEX reservation_search_idx", "search B-tree (CREATE INDEX)"),
        ("ALTER TABLE reservation ALTER COLUMN reservation_id SET NOT NULL", "constraints"),
        ("ALTER TABLE reservation ALTER COLUMN property_id", "reservation columns, NOT NULL"),
        ("ALTER TABLE property ADD COLUMN chunk", "property.chunk (0005)"),
        ("UPDATE property p SET chunk", "chunks (0005, UPDATE)"),
        ("ALTER TABLE property", "property columns, NOT NULL"),
        ("INSERT INTO property_gap", "free gaps fill (0005, INSERT ... SELECT)"),
        ("ALTER TABLE property_gap", "free gaps keys (0005)"),
        ("CREATE INDEX property_gap_gap_idx", "GiST on gap (0005)"),
        ("CREATE INDEX property_gap_chunk_idx", "GiST on (chunk, gap) (0005)"),
        ("CREATE INDEX property_chunk_idx", "B-tree on (chunk, property_id) (0005)"),
        ("VACUUM", "vacuum analyze (0005)"),
    )
    for prefix, name in known:
        if flat.startswith(prefix):
            return name
    return flat[:70]


def statements_of(recorder: _Recorder) -> list[Statement]:
    return [
        Statement(label(sql), sql, end - start, _phases(start, end, recorder.notices.arrivals))
        for sql, start, end in recorder.statements
    ]


def summary_steps(statements: Sequence[Statement], upgrade_seconds: float) -> dict[str, float]:
    """The headline steps: backfill, checks, each index build, the rest."""
    steps: dict[str, float] = {}
    for statement in statements:
        if statement.phases and statement.label == "constraints":
            for phase in statement.phases:
                steps[f"constraints: {phase.name}"] = phase.seconds
        else:
            key = statement.label if statement.seconds >= 0.5 else "other statements (< 0.5 s)"
            steps[key] = steps.get(key, 0.0) + statement.seconds
    steps["connect, commit, Alembic"] = upgrade_seconds - sum(s.seconds for s in statements)
    return steps


# --- before and after -----------------------------------------------------------------


def legacy_shape(url: str) -> tuple[int, int] | None:
    """(properties, reservations) if the database holds legacy tables not yet migrated."""
    conn = connect(url)
    try:
        columns = fetch_all(
            conn,
            "SELECT attname FROM pg_attribute"
            " WHERE attrelid = to_regclass('reservation') AND attnum > 0 AND NOT attisdropped",
        )
        migrated = fetch_value(conn, "SELECT to_regclass('alembic_version') IS NOT NULL")
        if not columns or ("reservation_id",) in columns or migrated:
            return None
        return (
            int(fetch_value(conn, "SELECT count(*) FROM property")),
            int(fetch_value(conn, "SELECT count(*) FROM reservation")),
        )
    finally:
        conn.close()


def forget_migrations(url: str) -> None:
    """Drop Alembic's table: the regenerated tables start at no revision, as a legacy database."""
    conn = connect(url)
    try:
        execute(conn, "DROP TABLE IF EXISTS alembic_version")
    finally:
        conn.close()


SAMPLE_SIZE = 1000


def verify(url: str, rows_before: int) -> Verification:
    conn = connect(url)
    try:
        rows, nulls, distinct = fetch_all(
            conn,
            "SELECT count(*), count(*) - count(reservation_id), count(DISTINCT reservation_id)"
            " FROM reservation",
        )[0]
        sample = fetch_all(
            conn,
            "SELECT reservation_id, property_id, start_date, number_of_nights"
            " FROM reservation TABLESAMPLE SYSTEM (1) LIMIT %s",
            (SAMPLE_SIZE,),
        )
        matching = sum(
            1
            for rid, pid, start, nights in sample
            if str(rid) == str(legacy_reservation_id(pid, start, nights))
        )
        constraints = dict(
            fetch_all(
                conn,
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = 'reservation'::regclass ORDER BY conname",
            )
        )
        revision = [row[0] for row in fetch_all(conn, "SELECT version_num FROM alembic_version")]
        return Verification(
            rows_before, int(rows), int(nulls), int(distinct), matching, len(sample),
            constraints, revision,
        )  # fmt: skip
    finally:
        conn.close()


def machine(load_before: tuple[float, float, float]) -> Machine:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return Machine(
        os.cpu_count() or 0, cpu, memory, load_before, os.getloadavg(), platform.release()
    )


# --- the run ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> Report:
    load_before = os.getloadavg()
    generated = None
    shape = legacy_shape(args.url) if args.reuse else None
    if shape is None:
        if args.reuse:
            print("no legacy tables to reuse: generating them")
        forget_migrations(args.url)
        data = generate.Shape(args.properties, args.reservations, legacy=True, seed=args.seed)
        settings = {"maintenance_work_mem": "1GB", "work_mem": "1GB"}
        generated = generate.generate(args.url, data, settings, replace=True)
        generate.print_report(generated)
        shape = legacy_shape(args.url)
        if shape is None:
            raise SystemExit("the generated tables are not in the legacy shape")
    conn = connect(args.url)
    try:
        server = server_version(conn)
        sizes_before = relation_sizes(conn, TABLES)
    finally:
        conn.close()
    recorder, upgrade_seconds = run_instrumented(args.url, dict(args.setting))
    statements = statements_of(recorder)
    verification = verify(args.url, shape[1])
    conn = connect(args.url)
    try:
        sizes_after = relation_sizes(conn, TABLES)
    finally:
        conn.close()
    return Report(
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        command=shlex.join([Path(sys.executable).name, "-m", "bench.migration", *sys.argv[1:]]),
        machine=machine(load_before),
        server=server,
        settings=recorder.settings,
        added_settings=dict(args.setting),
        properties=shape[0],
        reservations=shape[1],
        generated=generated,
        upgrade_seconds=upgrade_seconds,
        statements=statements,
        steps=summary_steps(statements, upgrade_seconds),
        verification=verification,
        sizes_before=sizes_before,
        sizes_after=sizes_after,
    )


def print_report(report: Report) -> None:
    m = report.machine
    print(f"date: {report.date}")
    print(f"command: {report.command}")
    print(
        f"machine: {m.nproc} CPUs ({m.cpu}), {m.memory_kib / 2**20:.1f} GiB, Linux {m.kernel}, "
        f"load average {' '.join(f'{x:.2f}' for x in m.load_before)} before, "
        f"{' '.join(f'{x:.2f}' for x in m.load_after)} after"
    )
    print(f"server: {report.server}")
    print("migration session: " + ", ".join(f"{k}={v}" for k, v in report.settings.items()))
    if report.added_settings:
        print("  (set by --setting: " + ", ".join(report.added_settings) + ")")
    print(f"data: {report.properties:,} properties, {report.reservations:,} legacy reservations")
    print("\nstatements of the upgrade:")
    for statement in report.statements:
        print(f"  {statement.seconds:9.2f} s  {statement.label}")
        for phase in statement.phases:
            print(f"  {'':9}    {phase.seconds:9.2f} s  {phase.name}")
    print("\nsteps:")
    for name, seconds in report.steps.items():
        print(f"  {seconds:9.2f} s  {name}")
    print(f"  {report.upgrade_seconds:9.2f} s  whole upgrade (migrate(), connect to commit)")
    v = report.verification
    print(
        f"\nverification: {'passed' if v.passed() else 'FAILED'}: rows {v.rows_before:,} before, "
        f"{v.rows_after:,} after; {v.null_ids} null ids, {v.distinct_ids:,} distinct; "
        f"{v.sample_ids_match_python}/{v.sample_size} sampled ids equal legacy_reservation_id; "
        f"revision {', '.join(v.revision)}; constraints {', '.join(v.constraints)}"
    )
    print("sizes before -> after:")
    before = {s.name: s.bytes for s in report.sizes_before}
    for size in report.sizes_after:
        old = before.get(size.name)
        was = f"{mebibytes(old)} -> " if old is not None else ""
        print(f"  {was + mebibytes(size.bytes):>30}  {size.kind} {size.name}")


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.replace("_", "").isalnum():
        raise argparse.ArgumentTypeError("expected NAME=VALUE")
    return name, value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="libpq URL of a database it may overwrite")
    parser.add_argument("--properties", type=int, default=100_000)
    parser.add_argument("--reservations", type=int, default=10_000_000)
    parser.add_argument("--seed", type=float, default=0.42, help="setseed() value, -1..1")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="migrate the legacy tables already in the database (make bench-legacy) if any",
    )
    parser.add_argument(
        "--setting",
        type=_setting,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a session setting for the migration, e.g. maintenance_work_mem=1GB (default: none)",
    )
    parser.add_argument("--json", type=Path, help="also write the report here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    report = run(args)
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(attrs.asdict(report), indent=2, default=str) + "\n")
    if not report.verification.passed():
        raise SystemExit("verification failed")


if __name__ == "__main__":
    main()
