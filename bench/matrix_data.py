"""Load the search matrix's catalogue: properties and their seasons' stays, in the current schema.

Rows are made in Python from a seeded generator (`bench.matrix_seasons`) and
streamed with COPY into a bare staging table; the stays then go into
`reservation` in first-night order, as bookings would arrive, so one property's
stays are spread over the table. Keys, the exclusion constraint and the search
B-tree are built afterwards (each timed), then `VACUUM (ANALYZE)`.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Iterable, Iterator, Sequence

from psycopg2.extensions import connection

from bench import schema
from bench.db import Timing, execute, timed
from bench.matrix_seasons import Season, property_ids, stay_rows

CURSOR_TABLE = "bench_cursor"  # k -> property id (k = 0: the first page), for pgbench


class RowStream(io.TextIOBase):
    """Tab-separated lines from an iterator of rows, read by COPY a chunk at a time."""

    def __init__(self, rows: Iterable[Sequence[object]]) -> None:
        self._lines = ("\t".join(map(str, row)) + "\n" for row in rows)
        self._pending = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        wanted = 1 << 20 if size is None or size < 0 else size
        parts, length = [self._pending], len(self._pending)
        for line in self._lines:
            parts.append(line)
            length += len(line)
            if length >= wanted:
                break
        text = "".join(parts)
        self._pending = text[wanted:]
        return text[:wanted]

    def readline(self, size: int | None = -1) -> str:  # COPY reads with read() only
        raise io.UnsupportedOperation("readline")


def copy_rows(conn: connection, table: str, columns: str, rows: Iterable[Sequence[object]]) -> None:
    with conn.cursor() as cur:
        cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", RowStream(rows))


def descriptions(ids: Sequence[str]) -> Iterator[tuple[str, str]]:
    kinds = ("villa", "apartment", "condo", "cabin", "loft", "studio", "house")
    for k, property_id in enumerate(ids):
        yield property_id, f"{kinds[k % len(kinds)]} no. {k}"


def load(
    conn: connection, count: int, seasons: Sequence[Season], seed: int, *, exclusion: bool = True
) -> list[Timing]:
    """Drop and refill `property` and `reservation`; the timings of each step.

    Without `exclusion` the exclusion constraint is not built: no search design
    reads it, and its GiST on text builds slowly (minutes per million stays).
    """
    rng = random.Random(seed)
    ids = property_ids(rng, count)
    execute(conn, f"DROP TABLE IF EXISTS {CURSOR_TABLE}, stay_staging")
    execute(conn, schema.drop_tables().sql)
    for step in schema.current_tables(property_key=False):
        execute(conn, step.sql)
    execute(conn, "CREATE UNLOGGED TABLE stay_staging (property_id text, first date, nights int)")
    timings = [
        timed_copy(conn, "load properties", "property", "property_id, description",
                   descriptions(ids)),
        timed_copy(conn, "generate and stage stays", "stay_staging",
                   "property_id, first, nights", stay_rows(rng, ids, seasons)),
        timed(conn, "load reservations in first-night order", LOAD_RESERVATIONS),
    ]  # fmt: skip
    execute(conn, "DROP TABLE stay_staging")
    steps = [
        *schema.key_steps(legacy=False, property_key=False),
        *([schema.EXCLUSION_CONSTRAINT] if exclusion else []),
        schema.SEARCH_BTREE,
        CURSORS,
        schema.VACUUM_ANALYZE,
    ]
    return timings + [timed(conn, step.name, step.sql, None) for step in steps]


def timed_copy(
    conn: connection, name: str, table: str, columns: str, rows: Iterable[Sequence[object]]
) -> Timing:
    started = time.perf_counter()
    copy_rows(conn, table, columns, rows)
    return Timing(name, time.perf_counter() - started)


LOAD_RESERVATIONS = """
INSERT INTO reservation (reservation_id, property_id, start_date, number_of_nights)
SELECT gen_random_uuid(), property_id, first, nights FROM stay_staging ORDER BY first
"""

CURSORS = schema.Step(
    "page cursors for pgbench",
    f"""
    CREATE TABLE {CURSOR_TABLE} AS
      SELECT 0 AS k, ''::text AS property_id
      UNION ALL
      SELECT row_number() OVER (ORDER BY property_id)::int, property_id FROM property;
    ALTER TABLE {CURSOR_TABLE} ADD PRIMARY KEY (k)
    """,  # noqa: S608 -- a constant table name
)
