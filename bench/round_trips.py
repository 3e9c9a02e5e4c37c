"""Round trips to PostgreSQL per use case, counted, and what pinging pooled connections adds.

    python -m bench.round_trips --url postgresql://... [--runs 200] [--pre-ping]

Give it a scratch database: it migrates it, empties it and adds a property and stays.
The service's connections wait for the server through psycopg2's wait callback
(`ota_adapters.postgres.deadlines`), once per round trip (BEGIN, each statement,
COMMIT and ROLLBACK alike), so counting the callback's calls counts round trips.
Each use case runs `--runs` times on a warm pool; the figures are per run, with
the wall and CPU time of this process. `--pre-ping` tests each checkout first
(SQLAlchemy's `pool_pre_ping`), the alternative to replacing closed connections.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial

import psycopg2.extensions as pg
import sqlalchemy as sa

from ota_adapters.clock import FixedClock
from ota_adapters.ids import UuidV7Generator
from ota_adapters.postgres import (
    PostgresReadOnlyUnitOfWork,
    PostgresUnitOfWork,
    build_engine,
    migrate,
)
from ota_adapters.postgres.deadlines import wait_for_server
from ota_adapters.postgres.engine import one_off_connection
from ota_core import (
    AvailabilityPolicy,
    AvailabilityQuery,
    CancelReservation,
    ChangeStay,
    ConfirmHold,
    DateRange,
    DatesUnavailable,
    GetCalendar,
    GetReservation,
    ListReservations,
    MakeReservation,
    OwnReservationsQuery,
    PlaceHold,
    Principal,
    Property,
    PropertyId,
    ReservationId,
    ReservationNotFound,
    ReservationRequest,
    SearchAvailability,
    StayChange,
)

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
PROPERTY = PropertyId("P0000001")
GUEST = Principal.parse("6f1c2a4e-8d3b-4b7a-9e5f-2c1d0a9b8e7f")
SOMEONE_ELSE = Principal.parse("c0ffee00-0000-4000-8000-000000000002")


class Waits:
    """Counts the waits of psycopg2's connections for the server."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, connection: pg.connection) -> None:
        self.count += 1
        wait_for_server(connection)


def _days(first: int) -> Iterator[dt.date]:
    day = first
    while True:
        yield NOW.date() + dt.timedelta(days=day)
        day += 2


def _next_stay(days: Iterator[dt.date]) -> ReservationRequest:
    return ReservationRequest(PROPERTY, DateRange.from_nights(next(days), 1))


def use_cases(url: str, runs: int, *, pre_ping: bool) -> dict[str, Callable[[], object]]:
    """Each kind of request, as a call that makes one (the next one of its kind)."""
    engine = build_engine(url, pool_pre_ping=pre_ping)
    write, read = partial(PostgresUnitOfWork, engine), partial(PostgresReadOnlyUnitOfWork, engine)
    with write() as work:
        work.properties.add(Property(PROPERTY, "a property to book"))
        work.commit()
    policy, clock = AvailabilityPolicy(booking_horizon_days=100 * runs), FixedClock(NOW)
    ids = UuidV7Generator()
    reserve = MakeReservation(write, policy, clock, ids)
    search, get, cancel, mine = (
        SearchAvailability(read, policy, clock),
        GetReservation(read),
        CancelReservation(write, policy, clock),
        ListReservations(read),
    )
    hold = PlaceHold(write, policy, clock, ids, dt.timedelta(hours=1))
    confirm, change = ConfirmHold(write, clock), ChangeStay(write, policy, clock)
    calendar = GetCalendar(read, clock)
    free, keyed = _days(10), _days(30 + 8 * runs)
    first = ReservationRequest(PROPERTY, DateRange.from_nights(NOW.date() + dt.timedelta(2), 3))
    taken = reserve.execute(first, GUEST)
    replayed = _next_stay(keyed)
    reserve.execute(replayed, GUEST, idempotency_key="replayed")

    def book(key: str | None = None, days: Iterator[dt.date] = free) -> object:
        request = _next_stay(days)
        key = None if key is None else f"{key}-{request.stay.start}"
        return reserve.execute(request, GUEST, idempotency_key=key)

    def someone_elses() -> None:
        try:
            get.execute(taken.reservation.id, SOMEONE_ELSE)
        except ReservationNotFound:
            return
        raise AssertionError("someone else read the reservation")

    keys = (f"refused-{n}" for n in itertools.count())

    def refused(key: str | None = None) -> None:
        try:
            reserve.execute(
                ReservationRequest(PROPERTY, taken.reservation.stay), GUEST, idempotency_key=key
            )
        except DatesUnavailable:
            return
        raise AssertionError("the stay was booked twice")

    booked = iter(
        [reserve.execute(_next_stay(free), GUEST).reservation.id for _ in range(runs + 2)]
    )
    held = (hold.execute(_next_stay(free), GUEST).id for _ in itertools.count())
    moved = reserve.execute(_next_stay(free), GUEST).reservation.id
    lengths = itertools.cycle([1, 2])
    cancelled_already = next(booked)  # cancelled by the first call, which warms up

    stay = DateRange.from_nights(NOW.date(), 3)
    return {
        "search (a page)": lambda: search.execute(AvailabilityQuery(stay)),
        "read by id": lambda: get.execute(taken.reservation.id, GUEST),
        "read by id, someone else's": someone_elses,
        "list (a page of 20)": lambda: mine.execute(OwnReservationsQuery(GUEST)),
        "booking": book,
        "booking with a key": lambda: book("key", keyed),
        "booking refused": refused,
        "booking refused, with a key": lambda: refused(next(keys)),
        "replay (same key again)": lambda: reserve.execute(
            replayed, GUEST, idempotency_key="replayed"
        ),
        "cancellation": lambda: cancel.execute(next(booked), GUEST),
        "cancellation of a cancelled one": lambda: cancel.execute(cancelled_already, GUEST),
        "cancellation, someone else's": lambda: _refused_cancel(cancel, taken.reservation.id),
        "hold": lambda: next(held),
        "hold confirmed": lambda: confirm.execute(next(held), GUEST),
        "date change": lambda: change.execute(moved, GUEST, StayChange(nights=next(lengths))),
        "calendar (a year)": lambda: calendar.execute(
            PROPERTY, DateRange.from_nights(NOW.date(), 366)
        ),
    }


def _refused_cancel(cancel: CancelReservation, reservation_id: ReservationId) -> None:
    try:
        cancel.execute(reservation_id, SOMEONE_ELSE)
    except ReservationNotFound:
        return
    raise AssertionError("someone else cancelled the reservation")


def measure(call: Callable[[], object], runs: int, waits: Waits) -> tuple[float, float, float]:
    """Round trips, wall time (µs) and this process's CPU time (µs) per call."""
    call()  # warm: a pooled connection, compiled statements
    waits.count = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(runs):
        call()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return waits.count / runs, wall / runs * 1e6, cpu / runs * 1e6


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a scratch database (migrated here)")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--pre-ping", action="store_true", help="ping each checkout first")
    args = parser.parse_args(argv)
    migrate(args.url)
    with one_off_connection(args.url) as connection, connection.begin():
        connection.execute(sa.text("TRUNCATE idempotency_key, reservation, property"))
    calls = use_cases(args.url, args.runs, pre_ping=args.pre_ping)
    waits = Waits()
    pg.set_wait_callback(waits)
    print(f"{'':32s} round trips   wall µs    CPU µs  (pre-ping: {args.pre_ping})")
    for kind, call in calls.items():
        trips, wall, cpu = measure(call, args.runs, waits)
        print(f"{kind:32s} {trips:11.2f} {wall:9.0f} {cpu:9.0f}")


if __name__ == "__main__":
    main()
