"""CPU instructions per request, the service against the thin baseline: a figure noise cannot move.

Requests/s on a shared 2-core machine move with whatever else runs on it.
The number of instructions a request executes does not: `valgrind
--tool=callgrind` counts them, the same for the same code and data whatever
the machine is doing. This module runs each app in one process, calls it
directly as WSGI (no server, no client, no threads), and counts the
instructions of N requests of one kind, less those of the same process making
none, over N.

    python -m bench.instructions --url postgresql://... [--requests 300] [--log-level INFO]
    python -m bench.instructions --url postgresql://... --layers
    python -m bench.instructions --url postgresql://... --targets service   # one app only

The service runs at `LOG_LEVEL=WARNING` unless `--log-level` says otherwise
(`INFO`: its request lines, JSON as under gunicorn, written to a pipe).

`--kinds conflict` sends one booking again and again: after the first, each is
refused (409), the path of a booking that meets an overlapping stay.

`--layers` counts one booking at each layer below HTTP instead: the use case
with the Postgres unit of work, the booking statement through SQLAlchemy's
`Connection.execute`, and the baseline's booking on a bare psycopg2
connection (each in psycopg2's transaction: BEGIN, the statement, then COMMIT
or ROLLBACK).

`--cpu-time` times the same requests instead of counting them: the process's
CPU time (user + system, `getrusage`) per request, without valgrind, the least
of three runs with service and baseline taking turns. It weighs what counting
cannot (system calls, cache misses) and moves with the machine's load.

It needs valgrind (Debian: `apt-get install valgrind`) and a database filled by
`bench.generate`. Bookings go to random properties and dates, as in `load.lua`,
so some are refused (409) and each run books other stays. What it counts is
user-space work in the app's process: not the kernel, not PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import re
import resource
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import psycopg2
import sqlalchemy as sa

from bench import baseline_app
from bench.generate import BENCH_PRINCIPAL
from bench.load import host
from ota_adapters.clock import SystemClock
from ota_adapters.ids import UuidV7Generator
from ota_adapters.postgres import PostgresUnitOfWork, build_engine
from ota_adapters.postgres.booking import BOOKING
from ota_adapters.postgres.engine import driver_url
from ota_core import (
    AvailabilityPolicy,
    DatesUnavailable,
    MakeReservation,
    Principal,
    ReservationRequest,
)

KINDS = ("search", "reserve", "get", "conflict")
DEFAULT_KINDS = KINDS[:3]
CONFLICT_DAYS_AHEAD = 500  # the stay `conflict` books again and again, after its first booking
TARGETS = ("service", "baseline")
LAYERS = ("use-case", "sqlalchemy-execute", "psycopg2")
WARM_UP = 50
TOKEN = "Bearer 6f1c2a4e-8d3b-4b7a-9e5f-2c1d0a9b8e7f"  # noqa: S105 - the mock token: any UUID
_COLLECTED = re.compile(r"Collected : (\d+)")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def app_of(target: str, url: str) -> WsgiApp:
    os.environ["DATABASE_URL"] = url
    if target == "service":
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        os.environ.update(STORAGE="postgres", LOG_FORMAT="json")
        from ota_web.app import create_app  # noqa: PLC0415 - after the environment is set

        return create_app()
    from bench.baseline_app import app  # noqa: PLC0415

    return app


def _ids(url: str) -> tuple[list[str], list[str]]:
    """The first 10,000 property ids and reservation ids: the same in every process."""
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT property_id FROM property ORDER BY property_id LIMIT 10000")
        properties = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT reservation_id::text FROM reservation ORDER BY reservation_id LIMIT 10000"
        )
        reservations = [row[0] for row in cursor.fetchall()]
    connection.close()
    return properties, reservations


class Caller:
    """Sends one request of a kind straight to a WSGI app, as gunicorn would hand it over."""

    def __init__(self, app: WsgiApp, kind: str, url: str) -> None:
        self._app = app
        self._kind = kind
        self._properties, self._reservations = _ids(url)
        self._random = random.Random()  # spreads bookings over properties and dates
        self._status = 0

    def __call__(self) -> int:
        pick = self._random
        if self._kind == "reserve":
            start = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=pick.randint(1, 1000))
            body = {"property_id": pick.choice(self._properties),
                    "start_date": start.isoformat(), "nights": pick.randint(1, 14)}  # fmt: skip
            return self._send("POST", "/api/v1/reservations", body=body)
        if self._kind == "conflict":  # one stay, booked by the first call: 409 from then on
            start = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=CONFLICT_DAYS_AHEAD)
            body = {"property_id": self._properties[0], "start_date": start.isoformat(),
                    "nights": 3}  # fmt: skip
            return self._send("POST", "/api/v1/reservations", body=body)
        if self._kind == "get":
            return self._send("GET", f"/api/v1/reservations/{pick.choice(self._reservations)}")
        start = dt.date(2021, 1, 1) + dt.timedelta(days=pick.randint(0, 2555))
        query = (f"start_date={start.isoformat()}&nights={pick.randint(1, 14)}"
                 f"&after={pick.choice(self._properties)}")  # fmt: skip
        return self._send("GET", "/api/v1/properties/available", query=query)

    def _send(self, method: str, path: str, *, query: str = "", body: object = None) -> int:
        data = b"" if body is None else json.dumps(body).encode()
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
            "SCRIPT_NAME": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000", "HTTP_AUTHORIZATION": TOKEN,
            "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.errors": sys.stderr,
            "wsgi.input": io.BytesIO(data), "wsgi.multithread": True,
            "wsgi.multiprocess": True, "wsgi.run_once": False,
        }  # fmt: skip
        if body is not None:
            environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(data)))
        answer = self._app(environ, self._start_response)
        b"".join(answer)
        close = getattr(answer, "close", None)
        if close is not None:
            close()
        return self._status

    def _start_response(self, status: str, _headers: object, _exc_info: object = None) -> None:
        self._status = int(status[:3])


BENCH_OWNER = Principal.parse(BENCH_PRINCIPAL)


class Bookings:
    """One booking of a random stay at each layer below HTTP; each call answers 200 or 409."""

    def __init__(self, url: str) -> None:
        self._properties, _ = _ids(url)
        self._random = random.Random()
        self._engine = build_engine(url)
        self._ids = UuidV7Generator()
        self._make = MakeReservation(partial(PostgresUnitOfWork, self._engine),
                                     AvailabilityPolicy(), SystemClock(), self._ids)  # fmt: skip
        self._plain = sa.create_engine(driver_url(url))
        self._bare = psycopg2.connect(url, options=baseline_app.OPTIONS)

    def at(self, layer: str) -> Callable[[], int]:
        calls = {"use-case": self.use_case, "sqlalchemy-execute": self.sqlalchemy_execute,
                 "psycopg2": self.bare_psycopg2}  # fmt: skip
        return calls[layer]

    def use_case(self) -> int:
        try:
            self._make.execute(ReservationRequest.of(*self._stay(), 1), BENCH_OWNER)
        except DatesUnavailable:
            return 409
        return 200

    def sqlalchemy_execute(self) -> int:
        with self._plain.connect() as connection:
            if not connection.execute(BOOKING, self._row()).one().booked:
                return 409  # leaving the block rolls back
            connection.commit()
        return 200

    def bare_psycopg2(self) -> int:
        values = self._row()
        values["reservation_id"] = str(values["reservation_id"])
        booked = baseline_app.book(self._bare, values) == "booked"
        self._bare.rollback()  # ends a refused booking's transaction, as the baseline's pool does
        return 200 if booked else 409

    def _stay(self) -> tuple[str, dt.date]:
        start = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=self._random.randint(1, 1000))
        return self._random.choice(self._properties), start

    def _row(self) -> dict[str, object]:
        property_id, start = self._stay()
        return {"reservation_id": self._ids.new_reservation_id(), "property_id": property_id,
                "start_date": start, "number_of_nights": 1, "status": "confirmed",
                "created_at": dt.datetime.now(dt.UTC), "owner": BENCH_OWNER.id}  # fmt: skip


def work(target: str, kind: str, url: str, requests: int) -> None:
    """The measured process: warm up, then `requests` requests.

    Prints the statuses as JSON, and the process's CPU time (user + system) the
    requests took, in seconds, under the key "cpu_s".
    """
    call = Bookings(url).at(kind) if target == "layer" else Caller(app_of(target, url), kind, url)
    for _ in range(WARM_UP):
        call()
    before = resource.getrusage(resource.RUSAGE_SELF)
    statuses = Counter(call() for _ in range(requests))
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    found: dict[str, float] = {str(status): count for status, count in sorted(statuses.items())}
    print(json.dumps(found | {"cpu_s": cpu_s}))


def run_work(  # noqa: PLR0913 - the --work arguments, then where it runs
    target: str,
    kind: str,
    url: str,
    requests: int,
    log_level: str,
    *,
    under: Sequence[str] = (),
    module: str = "bench.instructions",
) -> subprocess.CompletedProcess[str]:
    """`module`'s `--work` in a process of its own, run `under` a tool (valgrind) if given."""
    command = [*under, sys.executable, "-m", module, "--url", url,
               "--work", target, kind, str(requests)]  # fmt: skip
    environment = os.environ | {"LOG_LEVEL": log_level}
    return subprocess.run(command, capture_output=True, text=True, check=True, env=environment)  # noqa: S603


def _count(
    target: str, kind: str, url: str, requests: int, log_level: str = "WARNING"
) -> tuple[int, dict[str, int]]:
    callgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    done = run_work(target, kind, url, requests, log_level, under=callgrind)
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no total:\n{done.stderr[-2000:]}")
    return int(found.group(1)), _statuses(done.stdout)


def _statuses(stdout: str) -> dict[str, Any]:
    reported: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return reported


def _cpu_seconds(
    target: str, kind: str, url: str, requests: int, log_level: str = "WARNING"
) -> tuple[float, dict[str, int]]:
    """The CPU time of `requests` requests in a process of their own (no valgrind)."""
    reported = _statuses(run_work(target, kind, url, requests, log_level).stdout)
    return float(reported.pop("cpu_s")), reported


def parse_with_work(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> Any:
    """`parser`'s arguments, and the hidden `--work TARGET KIND N` of `run_work`'s process."""
    parser.add_argument("--work", nargs=3, metavar=("TARGET", "KIND", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.work:
        target, kind, requests = args.work
        args.work = (target, kind, args.url, int(requests))
    return args


def command_line(module: str, argv: Sequence[str] | None) -> str:
    """Print when and how `module` was run; the time, ISO 8601 in UTC."""
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    given = sys.argv[1:] if argv is None else argv
    print(f"{started}  python -m {module} {' '.join(given)}")
    return started


def _valgrind_version() -> str:
    done = subprocess.run(["valgrind", "--version"], capture_output=True, text=True, check=True)  # noqa: S607
    return done.stdout.strip()


def measure(
    url: str,
    requests: int,
    kinds: Sequence[str],
    targets: Sequence[str] = TARGETS,
    log_level: str = "WARNING",
) -> list[dict[str, Any]]:
    rows = []
    for kind in kinds:
        for target in targets:
            idle, _ = _count(target, kind, url, 0, log_level)
            busy, statuses = _count(target, kind, url, requests, log_level)
            statuses.pop("cpu_s")  # a time under valgrind says nothing
            per_request = (busy - idle) / requests
            rows.append({"kind": kind, "target": target, "instructions": per_request,
                         "statuses": statuses})  # fmt: skip
            print(f"{kind:8s} {target:9s} {per_request / 1e6:6.3f} M instructions/request"
                  f"  {statuses}", flush=True)  # fmt: skip
    return rows


CPU_RUNS = 3


def measure_cpu(
    url: str,
    requests: int,
    kinds: Sequence[str],
    targets: Sequence[str] = TARGETS,
    log_level: str = "WARNING",
) -> list[dict[str, Any]]:
    """Microseconds of CPU per request, the least of `CPU_RUNS` runs, targets taking turns."""
    rows = []
    for kind in kinds:
        runs: dict[str, list[float]] = {target: [] for target in targets}
        statuses: dict[str, dict[str, int]] = {}
        for _ in range(CPU_RUNS):
            for target in targets:
                seconds, statuses[target] = _cpu_seconds(target, kind, url, requests, log_level)
                runs[target].append(seconds / requests * 1e6)
        for target in targets:
            per_request = min(runs[target])
            rows.append({"kind": kind, "target": target, "cpu_us": per_request,
                         "cpu_us_runs": runs[target], "statuses": statuses[target]})  # fmt: skip
            print(f"{kind:8s} {target:9s} {per_request:6.1f} us CPU/request (runs: "
                  f"{', '.join(f'{r:.1f}' for r in runs[target])})  {statuses[target]}",
                  flush=True)  # fmt: skip
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database filled by bench.generate")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(DEFAULT_KINDS))
    parser.add_argument("--layers", action="store_true", help="one booking at each layer")
    parser.add_argument(
        "--cpu-time", action="store_true",
        help=f"CPU time per request instead (no valgrind; noisy: the least of {CPU_RUNS} runs)",
    )  # fmt: skip
    parser.add_argument(
        "--targets", nargs="+", choices=TARGETS, default=list(TARGETS),
        help="the apps to count (a checkout of another commit needs only the service)",
    )  # fmt: skip
    parser.add_argument("--log-level", default="WARNING", help="the service's LOG_LEVEL")
    parser.add_argument("--json", help="write the figures here too")
    args = parse_with_work(parser, argv)
    if args.work:
        work(*args.work)
        return
    started = command_line("bench.instructions", argv)
    machine = host() | ({} if args.cpu_time else {"valgrind": _valgrind_version()})
    print(f"machine: {machine}")
    figure = "cpu_us" if args.cpu_time else "instructions"
    if args.layers:
        rows = measure(args.url, args.requests, LAYERS, targets=["layer"])
    elif args.cpu_time:
        rows = measure_cpu(args.url, args.requests, args.kinds, args.targets, args.log_level)
    else:
        rows = measure(args.url, args.requests, args.kinds, args.targets, args.log_level)
    compared = not args.layers and set(args.targets) == set(TARGETS)
    for kind in args.kinds if compared else []:
        mine, theirs = (next(r[figure] for r in rows if r["kind"] == kind and
                             r["target"] == t) for t in TARGETS)  # fmt: skip
        print(f"service / baseline {figure.replace('_', ' ')}, {kind}: {mine / theirs:.2f}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"started": started, "argv": sys.argv[1:], "machine": machine,
                       "requests": args.requests, "log_level": args.log_level,
                       "rows": rows}, out, indent=2)  # fmt: skip


if __name__ == "__main__":
    main()
