"""A booking on Citus: the one-node CTE against the routed statements, timed.

    python -m bench.citus_booking --url postgresql://<coordinator>/<database> [--runs 300]

Give it a scratch database on a Citus coordinator with workers (`tests/citus`
starts one): it migrates it (distributing the tables) and empties it. Each path
books `--runs` stays one after the other, each in a transaction of its own that
commits, without and with an idempotency key, and once more for a stay that is
refused. The CTE (`booking.BOOKING*`) is what one node runs; on Citus its parts
run as distributed subplans. The routed path (`booking_routed`) is what the
adapter runs on Citus. Reported per path: p50 and p99 wall time, in ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable

import sqlalchemy as sa

from bench.load import host
from ota_adapters.postgres import build_engine, migrate
from ota_adapters.postgres.booking import booking
from ota_adapters.postgres.booking_routed import book_routed
from ota_adapters.postgres.connection import UnitConnection
from ota_core import DateRange, IdempotencyRecord, PropertyId, Reservation, ReservationId

PROPERTIES = [f"P{n:03}" for n in range(64)]
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _prepare(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text("TRUNCATE idempotency_key, reservation, property"))
        connection.execute(
            sa.text("INSERT INTO property VALUES (:p, 'bench')"), [{"p": p} for p in PROPERTIES]
        )


def _request(n: int, *, keyed: bool) -> tuple[Reservation, IdempotencyRecord | None]:
    reservation_id = ReservationId(uuid.uuid4())
    start = dt.date(2030, 1, 1) + dt.timedelta(days=3 * (n // len(PROPERTIES)))
    reservation = Reservation(
        id=reservation_id,
        property_id=PropertyId(PROPERTIES[n % len(PROPERTIES)]),
        stay=DateRange.from_nights(start, 2),
        created_at=NOW,
    )
    record = IdempotencyRecord(f"k-{reservation_id}", "f", reservation_id, NOW) if keyed else None
    return reservation, record


def _cte(connection: UnitConnection, values: dict[str, object], keyed: bool) -> bool:
    statement, _ = booking(*_request(0, keyed=keyed))
    return bool(connection.run(statement, values).one().booked)


def _routed(connection: UnitConnection, values: dict[str, object], keyed: bool) -> bool:
    return book_routed(connection, values).booked


Path = Callable[[UnitConnection, dict[str, object], bool], bool]


def _time(engine: sa.Engine, path: Path, runs: int, *, keyed: bool, repeat: bool) -> list[float]:
    times = []
    for n in range(runs):
        # A refused stay: the first one booked, asked for again.
        _, values = booking(*_request(0 if repeat else n, keyed=keyed))
        connection = UnitConnection(engine)
        began = time.perf_counter()
        booked = path(connection, values, keyed)
        connection.commit()
        times.append((time.perf_counter() - began) * 1000)
        connection.close()
        if booked == repeat and n > 0:
            raise RuntimeError(f"{path.__name__}: booked={booked} for run {n}")
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args(argv)
    migrate(args.url)
    engine = build_engine(args.url, pool_size=2)
    command = " ".join(
        ["python -m bench.citus_booking", *(argv if argv is not None else sys.argv[1:])]
    )
    report: dict[str, object] = {"command": command, "machine": host()}
    for name, path in (("cte", _cte), ("routed", _routed)):
        for case, keyed, repeat in (("new", False, False), ("new+key", True, False),
                                    ("refused", False, True)):  # fmt: skip
            _prepare(engine)
            times = _time(engine, path, args.runs, keyed=keyed, repeat=repeat)[10:]
            cuts = statistics.quantiles(times, n=100)
            report[f"{name} {case}"] = {"p50_ms": round(cuts[49], 2), "p99_ms": round(cuts[98], 2)}
    engine.dispose()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
