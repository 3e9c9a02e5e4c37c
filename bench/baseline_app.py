"""The thin baseline of the HTTP load benchmark: the service's queries, and nothing else.

A minimal Flask app over psycopg2 with a small pool of kept-open connections
per process, making the service's round trips (each request one transaction, which
psycopg2 begins: a read, then ROLLBACK; the booking's one statement, then
COMMIT, or ROLLBACK when refused), run under the same gunicorn settings as
the service (`gunicorn -c python:bench.baseline_conf bench.baseline_app:app`).
No container, no validation beyond what the queries need, no logging, no
metrics: what the service costs on top of its SQL is the difference.

Routes (the service's paths, so one wrk script drives both):

- `GET  /api/v1/properties/available`: the service's exact SQL (the search function; on
  Citus, which keeps no free gaps, the probe below, as the service does there);
- `GET  /api/v1/properties/available-probe`: the service's SQL before the free gaps
  (issue 21), one probe per property;
- `GET  /api/v1/properties/available-gist`: design (a), the anti-join on the
  exclusion constraint's GiST (`bench.designs.GIST_TEXT`);
- `POST /api/v1/reservations`: the service's one-node booking statement, 409 when it books
  nothing (on Citus the service sends routed statements instead: not mirrored);
- `GET  /api/v1/reservations/<uuid>`, and under its property
  (`/api/v1/properties/<id>/reservations/<uuid>`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
from flask import Flask, Response, request
from psycopg2.extensions import connection

from bench.designs import GIST_TEXT, PSYCOPG
from ota_adapters.postgres.search_function import PROBE_BUDGET, SPARSE_CAP
from ota_core import LONGEST_STAY_NIGHTS

POOL_SIZE = int(os.environ.get("BASELINE_POOL_SIZE", "15"))
# The service's session settings (ota_adapters.postgres.engine), so both plan alike.
OPTIONS = (
    "-c statement_timeout=5000 -c timezone=UTC -c jit=off -c max_parallel_workers_per_gather=0"
)

# The service's search: `ota_adapters.postgres.statements.FREE_PROPERTIES` as SQLAlchemy
# renders it for psycopg2, line breaks aside (tests/unit/test_bench_baseline.py).
SEARCH = """
SELECT anon_1.property_id, anon_1.description
FROM free_properties(%(start)s, %(end)s, %(after)s, %(limit)s, %(now)s, %(budget)s,
  %(cap)s) AS anon_1
ORDER BY anon_1.property_id"""

# The service's search before the free gaps (issue 21), design (e): one probe of the
# stays' B-tree per property in id order, however many properties the page skips.
_PROBE_WHERE = """
SELECT property.property_id, property.description
FROM property
WHERE NOT (EXISTS (SELECT 1
  FROM reservation
  WHERE reservation.property_id = property.property_id
    AND reservation.status = 'confirmed'
    AND reservation.start_date < %(end)s
    AND reservation.start_date > CAST(%(start)s AS DATE) - %(param_1)s
    AND reservation.end_date > CAST(%(start)s AS DATE)
    AND (reservation.expires_at IS NULL OR reservation.expires_at > %(now)s)
  LIMIT ALL OFFSET %(param_2)s))"""
_PROBE_ORDER = """ ORDER BY property.property_id
LIMIT %(limit)s"""
SEARCH_PROBE_FIRST_PAGE = _PROBE_WHERE + _PROBE_ORDER
SEARCH_PROBE_AFTER = _PROBE_WHERE + " AND property.property_id > %(after)s" + _PROBE_ORDER

SEARCH_GIST = GIST_TEXT.sql(PSYCOPG)

# The service's booking: `ota_adapters.postgres.booking.BOOKING`, rendered. It answers
# whether the property exists, whether the key was taken (no key here), whether it booked.
BOOKING = """
WITH locked AS (SELECT property.property_id AS property_id FROM property
                WHERE property.property_id = %(property_id)s FOR NO KEY UPDATE),
swept AS (DELETE FROM reservation
          WHERE reservation.property_id = (SELECT locked.property_id FROM locked)
            AND reservation.status = 'confirmed' AND reservation.expires_at <= %(created_at)s
            AND reservation.start_date < %(end_date)s AND reservation.end_date > %(start_date)s
          RETURNING reservation.reservation_id),
booked AS (INSERT INTO reservation (reservation_id, property_id, start_date, number_of_nights,
                                    status, created_at, owner, expires_at)
           SELECT %(reservation_id)s::UUID AS anon_1, locked.property_id AS property_id,
                  %(start_date)s AS anon_2, %(number_of_nights)s AS anon_3, %(status)s AS anon_4,
                  %(created_at)s AS anon_5, %(owner)s::UUID AS anon_6, %(expires_at)s AS anon_7
           FROM locked WHERE (SELECT count(*) AS count_1 FROM swept) >= 0
           ON CONFLICT ON CONSTRAINT reservation_no_overlap DO NOTHING
           RETURNING reservation.reservation_id)
SELECT EXISTS (SELECT locked.property_id FROM locked) AS property_found, false AS key_taken,
       EXISTS (SELECT booked.reservation_id FROM booked) AS booked"""


def book(conn: connection, params: dict[str, Any]) -> str:
    """The service's booking in the transaction psycopg2 begins: "booked", or why not.

    COMMIT when it booked; otherwise the pool's ROLLBACK, as the service ends its unit of work.
    """
    with conn.cursor() as cur:
        cur.execute(BOOKING, params)
        property_found, _key_taken, booked = cur.fetchone()
    if booked:
        conn.commit()
        return "booked"
    return "taken" if property_found else "unknown property"  # the pool rolls back


# A read by id and owner: `ota_adapters.postgres.statements.OWNED_RESERVATION`, rendered.
GET = """
SELECT reservation.reservation_id, reservation.property_id, reservation.start_date,
       reservation.number_of_nights, reservation.created_at, reservation.status,
       reservation.owner, reservation.expires_at
FROM reservation WHERE reservation.reservation_id = %(reservation_id)s::UUID
                   AND reservation.owner = %(owner)s::UUID"""
# The same, naming the property: `statements.OF_NAMED_PROPERTY[OWNED_RESERVATION]`, rendered.
GET_NAMED = GET + "\n                   AND reservation.property_id = %(property_id)s"


class Pool:
    """Up to `size` connections, opened on demand and kept open; callers wait for one."""

    def __init__(self, url: str, size: int) -> None:
        self._url = url
        self._idle: queue.LifoQueue[connection] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def connection(self) -> Iterator[connection]:
        """A connection, given back with its transaction ended (rolled back unless committed)."""
        self._slots.acquire()
        try:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = psycopg2.connect(self._url, options=OPTIONS)
            try:
                yield conn
            finally:
                conn.rollback()  # sends ROLLBACK only inside a transaction
            self._idle.put(conn)
        finally:
            self._slots.release()


app = Flask(__name__)
_pool: Pool | None = None


def pool() -> Pool:
    global _pool  # noqa: PLW0603 - one per worker process, made after the fork
    if _pool is None:
        _pool = Pool(os.environ["DATABASE_URL"], POOL_SIZE)
    return _pool


def _owner() -> str:
    """The bearer token's UUID, lower case: the principal, as the service reads it."""
    return str(uuid.UUID(request.headers["Authorization"].partition(" ")[2]))


def _json(body: object, status: int = 200) -> Response:
    return Response(json.dumps(body), status, mimetype="application/json")


def _search(design: str) -> Response:
    args = request.args
    start = dt.date.fromisoformat(args["start_date"])
    end = start + dt.timedelta(days=int(args["nights"]))
    after = args.get("after")
    limit = int(args.get("limit", "100"))
    params: dict[str, Any] = {
        "start": start, "end": end, "after": after, "limit": limit, "now": dt.datetime.now(dt.UTC)
    }  # fmt: skip
    if design == "gist":
        params["after"] = after or ""
        sql = SEARCH_GIST
    elif design == "probe":
        params |= {"param_1": LONGEST_STAY_NIGHTS, "param_2": 0}
        sql = SEARCH_PROBE_FIRST_PAGE if after is None else SEARCH_PROBE_AFTER
    else:
        params |= {"budget": PROBE_BUDGET, "cap": SPARSE_CAP}
        sql = SEARCH
    with pool().connection() as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if not rows and after is None:
        return _json({"code": "no_property_available"}, 404)
    page = [{"property_id": r[0], "description": r[1]} for r in rows]
    following = rows[-1][0] if len(rows) == limit else None
    return _json({"properties": page, "next": following})


_free_gaps: bool | None = None


def _service_design() -> str:
    """The service's search on this database: the free gaps, or the probe where none are
    kept (Citus drops them, ADR 0022)."""
    global _free_gaps  # noqa: PLW0603 - asked once per worker process
    if _free_gaps is None:
        with pool().connection() as conn, conn.cursor() as cur:
            cur.execute("SELECT to_regclass('property_gap') IS NOT NULL")
            _free_gaps = bool(cur.fetchone()[0])  # type: ignore[index]
    return "service" if _free_gaps else "probe"


@app.get("/api/v1/properties/available")
def search() -> Response:
    return _search(_service_design())


@app.get("/api/v1/properties/available-probe")
def search_probe() -> Response:
    return _search("probe")


@app.get("/api/v1/properties/available-gist")
def search_gist() -> Response:
    return _search("gist")


@app.post("/api/v1/reservations")
def reserve() -> Response:
    body = request.get_json()
    start = dt.date.fromisoformat(body["start_date"])
    nights = int(body["nights"])
    reservation_id = uuid.uuid4()
    params = {
        "reservation_id": str(reservation_id),
        "property_id": body["property_id"],
        "start_date": start,
        "end_date": start + dt.timedelta(days=nights),
        "number_of_nights": nights,
        "status": "confirmed",
        "created_at": dt.datetime.now(dt.UTC),
        "owner": _owner(),
        "expires_at": None,
    }
    with pool().connection() as conn:
        outcome = book(conn, params)
    if outcome == "taken":  # the stay overlaps a confirmed one
        return _json({"code": "dates_unavailable"}, 409)
    if outcome == "unknown property":
        return _json({"code": "unknown_property"}, 400)
    out = {
        "reservation_id": str(reservation_id),
        "property_id": body["property_id"],
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=nights)).isoformat(),
        "nights": nights,
        "status": "confirmed",
    }
    return _json(out)


@app.get("/api/v1/reservations/<uuid:reservation_id>")
def get_reservation(reservation_id: uuid.UUID) -> Response:
    return _reservation(GET, {"reservation_id": str(reservation_id), "owner": _owner()})


@app.get("/api/v1/properties/<property_id>/reservations/<uuid:reservation_id>")
def get_named_reservation(property_id: str, reservation_id: uuid.UUID) -> Response:
    values = {"reservation_id": str(reservation_id), "owner": _owner(), "property_id": property_id}
    return _reservation(GET_NAMED, values)


def _reservation(sql: str, values: dict[str, str]) -> Response:
    with pool().connection() as conn, conn.cursor() as cur:
        cur.execute(sql, values)
        row = cur.fetchone()
    if row is None:
        return _json({"code": "reservation_not_found"}, 404)
    start: dt.date = row[2]
    out = {
        "reservation_id": str(row[0]),
        "property_id": row[1],
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=row[3])).isoformat(),
        "nights": row[3],
        "status": row[5],
    }
    return _json(out)
