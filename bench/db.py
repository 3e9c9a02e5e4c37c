"""Connections, timed statements and size reports shared by the benchmarks."""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import psycopg2
from psycopg2.extensions import connection


@attrs.frozen
class Timing:
    """How long one named step took."""

    name: str
    seconds: float


@attrs.frozen
class RelationSize:
    """The on-disk size of one table or index."""

    name: str
    kind: str  # "table" or "index"
    bytes: int


def connect(url: str, settings: Mapping[str, str] | None = None) -> connection:
    """An autocommit connection with the given session settings applied."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    for name, value in (settings or {}).items():
        execute(conn, "SELECT set_config(%s, %s, false)", (name, value))
    return conn


def execute(
    conn: connection, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = ()
) -> None:
    """Run one statement; with `params=None` its `%` signs are left as they are."""
    with conn.cursor() as cur:
        cur.execute(sql, params)


def fetch_all(
    conn: connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def fetch_value(conn: connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
    rows = fetch_all(conn, sql, params)
    return rows[0][0] if rows else None


def timed(
    conn: connection, name: str, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = ()
) -> Timing:
    """Run one statement and say how long it took."""
    started = time.perf_counter()
    execute(conn, sql, params)
    return Timing(name, time.perf_counter() - started)


def server_version(conn: connection) -> str:
    return str(fetch_value(conn, "SELECT version()"))


def relation_sizes(conn: connection, tables: Sequence[str]) -> list[RelationSize]:
    """The sizes of the given tables (heap only) and of each of their indexes."""
    rows = fetch_all(
        conn,
        """
        SELECT c.relname, 'table', pg_relation_size(c.oid)
        FROM pg_class c
        WHERE c.oid = ANY (SELECT to_regclass(t) FROM unnest(%(tables)s::text[]) AS t)
        UNION ALL
        SELECT i.relname, 'index', pg_relation_size(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = ANY (SELECT to_regclass(t) FROM unnest(%(tables)s::text[]) AS t)
        ORDER BY 2 DESC, 1
        """,
        {"tables": list(tables)},
    )
    return [RelationSize(name, kind, int(size)) for name, kind, size in rows]


def index_exists(conn: connection, name: str) -> bool:
    return fetch_value(conn, "SELECT to_regclass(%s) IS NOT NULL", (name,)) is True


def mebibytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"


def parse_setting(text: str) -> tuple[str, str]:
    """A `NAME=VALUE` command-line argument as a (name, value) pair."""
    name, _, value = text.partition("=")
    if not name.replace("_", "").isalpha() or not value:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def add_setting_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    """A repeatable `--setting NAME=VALUE` option, collected as (name, value) pairs."""
    parser.add_argument(
        "--setting",
        type=parse_setting,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=help_text,
    )
