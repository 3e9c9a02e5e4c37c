"""A steady load of bookings, each sent again with its Idempotency-Key until it is acknowledged."""

from __future__ import annotations

import datetime as dt
import http.client
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import attrs

from tests.live import Answer
from tests.scale.clients import ANSWER_SECONDS, RESERVATIONS, Request, exchange, header
from tests.scale.stored import idempotency_keys, reservation_ids

# What a client sends again: the balancer's answers when an instance went away mid-request.
RETRIED = frozenset({502, 503, 504})
RETRY_PAUSE = 0.05  # a client's back-off between tries, not a wait for anything
RETRY_SECONDS = 20


@attrs.define
class Booking:
    """One booking as its client saw it: every answer and transport error, in order."""

    key: str
    wanted: object
    answers: list[Answer] = attrs.Factory(list)
    errors: list[str] = attrs.Factory(list)

    @property
    def acknowledged(self) -> Answer | None:
        """The 200 that ended it, if one did."""
        last = self.answers[-1] if self.answers else None
        return last if last is not None and last.status == 200 else None

    @property
    def tries(self) -> int:
        return len(self.answers) + len(self.errors)


class BookingLoad:
    """`clients` threads on kept-alive connections to `port`, booking `stay(n)` for n = 0, 1, ..."""

    def __init__(
        self, port: int, stay: Callable[[int], object], *, clients: int, limit: int
    ) -> None:
        self._port = port
        self._stay = stay
        self._limit = limit
        self._lock = threading.Lock()
        self._taken = 0
        self._done: list[Booking] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client) for _ in range(clients)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> list[Booking]:
        """Let each client finish the booking in hand; every booking made."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=RETRY_SECONDS + ANSWER_SECONDS)
        return self.bookings()

    def bookings(self) -> list[Booking]:
        with self._lock:
            return list(self._done)

    def acknowledged_by(self, instance: str, header_name: str) -> int:
        """How many bookings instance `instance` acknowledged, as `header_name` says."""
        return sum(
            1
            for booking in self.bookings()
            if booking.acknowledged is not None
            and header(booking.acknowledged, header_name) == instance
        )

    def _take(self) -> int | None:
        with self._lock:
            if self._stop.is_set() or self._taken >= self._limit:
                return None
            self._taken += 1
            return self._taken - 1

    def _client(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=ANSWER_SECONDS)
        try:
            while (number := self._take()) is not None:
                booking = _until_acknowledged(connection, f"load-{number}", self._stay(number))
                with self._lock:
                    self._done.append(booking)
        finally:
            connection.close()


def _until_acknowledged(
    connection: http.client.HTTPConnection, key: str, wanted: object
) -> Booking:
    booking = Booking(key, wanted)
    request = Request("POST", RESERVATIONS, wanted, {"Idempotency-Key": key})
    deadline = time.monotonic() + RETRY_SECONDS
    while True:
        try:
            answer = exchange(connection, request)
        except (OSError, http.client.HTTPException) as error:
            booking.errors.append(repr(error))
            connection.close()  # the next request opens a new connection
        else:
            booking.answers.append(answer)
            if answer.status not in RETRIED:
                return booking
        if time.monotonic() > deadline:
            return booking
        time.sleep(RETRY_PAUSE)


@contextmanager
def booking_load(
    port: int, stay: Callable[[int], object], *, clients: int, limit: int
) -> Iterator[BookingLoad]:
    """A `BookingLoad`, stopped when the block ends."""
    load = BookingLoad(port, stay, clients=clients, limit=limit)
    try:
        yield load
    finally:
        load.stop()


def stored_once(url: str, bookings: list[Booking], since: dt.date) -> dict[str, str]:
    """Each booking's reservation id, checked: every booking ended in a 200, all the 200s of
    one booking name one reservation, and each is stored once, with its key.

    `since`: the first day of the bookings, after every other stay in the database.
    """
    unacknowledged = [b.key for b in bookings if b.acknowledged is None]
    assert unacknowledged == [], f"bookings never acknowledged: {unacknowledged}"
    made = {b.key: {a.json()["reservation_id"] for a in b.answers if a.status == 200}
            for b in bookings}  # fmt: skip
    ambiguous = {key: ids for key, ids in made.items() if len(ids) != 1}
    assert ambiguous == {}, f"a key answered with several reservations: {ambiguous}"
    acknowledged = {key: ids.pop() for key, ids in made.items()}
    assert len(set(acknowledged.values())) == len(bookings), "two bookings, one reservation"
    assert reservation_ids(url, since=since) == sorted(acknowledged.values())
    assert idempotency_keys(url) == acknowledged
    return acknowledged
