"""HTTP clients for many requests at once: kept-alive connections, a barrier, a tally."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import attrs

from tests.live import TOKEN, Answer

RESERVATIONS = "/api/v1/reservations"
ANSWER_SECONDS = 60


@attrs.frozen
class Request:
    method: str
    path: str
    body: object = None
    headers: Mapping[str, str] = attrs.field(factory=dict)


def header(answer: Answer, name: str) -> str | None:
    """A response header, whatever the case the server wrote its name in."""
    return next((v for k, v in answer.headers.items() if k.lower() == name.lower()), None)


def send(connection: http.client.HTTPConnection, request: Request) -> None:
    body = None if request.body is None else json.dumps(request.body).encode()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    connection.request(request.method, request.path, body, headers | dict(request.headers))


def receive(connection: http.client.HTTPConnection) -> Answer:
    response = connection.getresponse()
    return Answer(response.status, dict(response.getheaders()), response.read())


def exchange(connection: http.client.HTTPConnection, request: Request) -> Answer:
    send(connection, request)
    return receive(connection)


@contextmanager
def kept_alive(port: int, count: int) -> Iterator[list[http.client.HTTPConnection]]:
    """`count` connections to `port`, each opened now and kept for several requests."""
    connections = [
        http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_SECONDS) for _ in range(count)
    ]
    try:
        for connection in connections:
            connection.connect()
        yield connections
    finally:
        for connection in connections:
            connection.close()


class Tally:
    """A counter several threads add to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def add(self) -> None:
        with self._lock:
            self._count += 1

    def __int__(self) -> int:
        with self._lock:
            return self._count


class Race:
    """One thread per connection; all send `request` at once, when the last one is ready.

    `request` may also be one request per connection. The threads start at once;
    `answers()` waits for them.
    """

    def __init__(
        self,
        connections: Sequence[http.client.HTTPConnection],
        request: Request | Sequence[Request],
    ) -> None:
        requests = [request] * len(connections) if isinstance(request, Request) else request
        self._together = threading.Barrier(len(connections))
        self.sent = Tally()
        self._pool = ThreadPoolExecutor(max_workers=len(connections))
        self._answers: list[Future[Answer]] = [
            self._pool.submit(self._run, connection, each)
            for connection, each in zip(connections, requests, strict=True)
        ]

    def _run(self, connection: http.client.HTTPConnection, request: Request) -> Answer:
        self._together.wait(timeout=ANSWER_SECONDS)
        send(connection, request)
        self.sent.add()
        return receive(connection)

    def answered(self) -> int:
        return sum(answer.done() for answer in self._answers)

    def answers(self) -> list[Answer]:
        """Every answer, in connection order."""
        try:
            return [answer.result(timeout=ANSWER_SECONDS) for answer in self._answers]
        finally:
            self._pool.shutdown(cancel_futures=True)


def race(
    connections: Sequence[http.client.HTTPConnection], request: Request | Sequence[Request]
) -> list[Answer]:
    """The answers to `request` sent on every connection at once, in connection order."""
    return Race(connections, request).answers()
