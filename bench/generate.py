"""Fill a PostgreSQL database with N properties and M non-overlapping reservations.

Everything is generated inside the server with set-based SQL (`generate_series`),
so ten million rows load in minutes. Each property gets M / N stays of 1-14 nights
laid out one after another over 2021-2027 with random gaps (some of zero nights:
back-to-back stays), so they never overlap. Rows are inserted in start-date
order, as bookings arrive over time, so one property's stays are spread over the
table as in production.

    python -m bench.generate --url postgresql://postgres@127.0.0.1/ota_bench \\
        --properties 100000 --reservations 10000000 --property-key --replace
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Sequence
from pathlib import Path

import attrs
from psycopg2.extensions import connection

from bench import schema
from bench.db import (
    RelationSize,
    Timing,
    connect,
    execute,
    fetch_value,
    mebibytes,
    relation_sizes,
    server_version,
    timed,
)

FIRST_DAY = dt.date(2021, 1, 1)
SPAN_DAYS = (dt.date(2028, 1, 1) - FIRST_DAY).days  # 2021 to 2027 inclusive
LONGEST_GENERATED_STAY = 14
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
INDEX_SETS = ("full", "search", "keys")
# Every generated stay is the load benchmark's (bench/load.lua's token): its reads by id
# find them, as the owner's own.
BENCH_PRINCIPAL = "6f1c2a4e-8d3b-4b7a-9e5f-2c1d0a9b8e7f"


@attrs.frozen
class Shape:
    """What to generate."""

    properties: int
    reservations: int
    legacy: bool = False
    property_key: bool = False
    indexes: str = "full"  # one of INDEX_SETS
    seed: float = 0.42

    def __attrs_post_init__(self) -> None:
        if self.properties < 1 or self.reservations < 0:
            raise ValueError("need at least one property and no negative reservation count")
        if self.longest_stay() < 1:
            raise ValueError("too many reservations per property to fit in 2021-2027")
        if self.legacy and self.property_key:
            raise ValueError("the legacy shape has no property_key")

    def most_per_property(self) -> int:
        return -(-self.reservations // self.properties)

    def longest_stay(self) -> int:
        """At most 14 nights, fewer if a property's stays could not all fit in the span."""
        return min(LONGEST_GENERATED_STAY, SPAN_DAYS // max(1, self.most_per_property()))


@attrs.frozen
class Report:
    """What loading took and how big it came out."""

    server: str
    shape: Shape
    timings: list[Timing]
    sizes: list[RelationSize]

    def total_seconds(self) -> float:
        return sum(t.seconds for t in self.timings)


def generate(url: str, shape: Shape, settings: dict[str, str], *, replace: bool) -> Report:
    conn = connect(url, settings)
    try:
        if not replace and fetch_value(conn, "SELECT to_regclass('property') IS NOT NULL"):
            raise SystemExit("table property exists: pass --replace to drop and regenerate")
        execute(conn, schema.drop_tables().sql)
        timings = create_and_load(conn, shape)
        timings += [timed(conn, step.name, step.sql, None) for step in index_steps(shape)]
        return Report(server_version(conn), shape, timings, relation_sizes(conn, schema.TABLES))
    finally:
        conn.close()


def create_and_load(conn: connection, shape: Shape) -> list[Timing]:
    tables = (
        schema.legacy_tables()
        if shape.legacy
        else schema.current_tables(property_key=shape.property_key)
    )
    for step in tables:
        execute(conn, step.sql)
    execute(conn, "SELECT setseed(%s)", (shape.seed,))
    return [
        timed(conn, "generate property ids", GENERATE_IDS, {"n": shape.properties, "a": ALPHABET}),
        timed(conn, "load properties", insert_properties(shape)),
        timed(conn, "load reservations", insert_reservations(shape), reservation_params(shape)),
    ]


def index_steps(shape: Shape) -> list[schema.Step]:
    steps = schema.key_steps(legacy=shape.legacy, property_key=shape.property_key)
    if not shape.legacy and shape.indexes == "full":
        steps += [schema.EXCLUSION_CONSTRAINT, schema.OWNER_BTREE]
    if not shape.legacy and shape.indexes in ("full", "search"):
        steps.append(schema.SEARCH_BTREE)
    if not shape.legacy and shape.indexes in ("full", "search"):  # and what 0005 adds
        return [*steps, *schema.free_gap_steps()]
    return [*steps, schema.VACUUM_ANALYZE]


GENERATE_IDS = """
CREATE TEMP TABLE generated_property AS
SELECT k,
       (SELECT string_agg(substr(%(a)s, 1 + floor(random() * 62)::int, 1), '')
          FROM generate_series(1, 14) WHERE k > 0) AS property_id  -- k: one id per row
FROM generate_series(1, %(n)s) AS k
"""

DESCRIPTION = """
(ARRAY['Spacious', 'Cosy', 'Bright', 'Quiet', 'Renovated'])[1 + k %% 5]
|| ' ' || (1 + k %% 4) || '-bedroom '
|| (ARRAY['villa', 'apartment', 'condo', 'cabin', 'loft', 'studio', 'house'])[1 + k %% 7]
|| ' no. ' || k
"""


def insert_properties(shape: Shape) -> str:
    # Fixed fragments chosen by a flag, no user values.
    key = "property_key, " if shape.property_key else ""
    return (
        f"INSERT INTO property ({key}property_id, description) "  # noqa: S608
        f"SELECT {'k, ' if shape.property_key else ''}property_id, {DESCRIPTION} "
        "FROM generated_property ORDER BY k"
    )


def insert_reservations(shape: Shape) -> str:
    """Stays laid out per property without overlap, at random places in the span.

    Each property gets its nights `n` and a uniform draw `u` per stay. Ordered by
    `u`, the stays follow one another, and the span's free days `F` (span minus
    the property's nights) are cut at the points `u * F`: every gap is random
    (about exponential when a property has many stays; zero-night gaps make
    back-to-back stays), and everything fits in the span. `OFFSET 0` keeps each
    random draw computed once per row.
    """
    # Fixed fragments chosen by flags, no user values: those are bound parameters.
    id_column, id_value = (
        ("", "")
        if shape.legacy
        else ("reservation_id, owner, ", "gen_random_uuid(), %(owner)s::uuid, ")
    )
    key_column, key_value = ("property_key, ", "k, ") if shape.property_key else ("", "")
    return f"""
    INSERT INTO reservation ({id_column}property_id, {key_column}start_date, number_of_nights)
    SELECT {id_value}property_id, {key_value}
           %(first_day)s::date
             + floor(u * (%(span)s - sum(nights) OVER whole))::int
             + (sum(nights) OVER by_u - nights)::int AS start_date,
           nights
    FROM (SELECT g.k, g.property_id, random() AS u, 1 + floor(random() * %(longest)s)::int AS nights
          FROM generated_property AS g
          CROSS JOIN LATERAL generate_series(1, %(per)s + (g.k <= %(extra)s)::int)
          OFFSET 0) AS stay
    WINDOW whole AS (PARTITION BY k), by_u AS (PARTITION BY k ORDER BY u)
    ORDER BY start_date
    """  # noqa: S608


def reservation_params(shape: Shape) -> dict[str, object]:
    return {
        "first_day": FIRST_DAY,
        "span": SPAN_DAYS,
        "longest": shape.longest_stay(),
        "per": shape.reservations // shape.properties,
        "extra": shape.reservations % shape.properties,
        "owner": BENCH_PRINCIPAL,
    }


def print_report(report: Report) -> None:
    shape = report.shape
    print(f"server: {report.server}")
    print(
        f"generated {shape.properties:,} properties and {shape.reservations:,} reservations "
        f"({'legacy shape' if shape.legacy else f'current shape, indexes: {shape.indexes}'}), "
        f"stays of 1-{shape.longest_stay()} nights"
    )
    for timing in report.timings:
        print(f"  {timing.seconds:9.1f} s  {timing.name}")
    print(f"  {report.total_seconds():9.1f} s  total")
    for size in report.sizes:
        print(f"  {mebibytes(size.bytes):>14}  {size.kind} {size.name}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="libpq URL of the database to fill")
    parser.add_argument("--properties", type=int, default=100_000)
    parser.add_argument("--reservations", type=int, default=10_000_000)
    parser.add_argument("--legacy", action="store_true", help="the starter shape: no ids")
    parser.add_argument(
        "--property-key", action="store_true", help="add an integer property_key column"
    )
    parser.add_argument(
        "--indexes",
        choices=INDEX_SETS,
        default="full",
        help="full: the migrations' schema; search: the same without the exclusion constraint;"
        " keys: keys only",
    )
    parser.add_argument("--maintenance-work-mem", default="1GB")
    parser.add_argument("--seed", type=float, default=0.42, help="setseed() value, -1..1")
    parser.add_argument("--replace", action="store_true", help="drop existing tables first")
    parser.add_argument("--json", type=Path, help="also write the report here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    shape = Shape(
        args.properties,
        args.reservations,
        legacy=args.legacy,
        property_key=args.property_key,
        indexes=args.indexes,
        seed=args.seed,
    )
    settings = {"maintenance_work_mem": args.maintenance_work_mem, "work_mem": "1GB"}
    started = time.perf_counter()
    report = generate(args.url, shape, settings, replace=args.replace)
    print_report(report)
    print(f"wall clock: {time.perf_counter() - started:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(attrs.asdict(report), indent=2) + "\n")


if __name__ == "__main__":
    main()
