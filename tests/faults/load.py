"""Clients that keep a server busy while a test breaks something, recording every answer."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import attrs

from tests.live import Answer, Api

Request = tuple[str, str, object]  # method, path, JSON body (or None)
Requests = Callable[[int, int], Request]  # (client number, request number) -> request
CLIENT_TIMEOUT = 30
# No whole answer: refused, cut before the status line, or cut in the middle of the body.
NO_ANSWER = (OSError, http.client.HTTPException)


@attrs.frozen
class Outcome:
    kind: str
    at: float  # time.monotonic() when the answer came
    answer: Answer | None  # None: no HTTP answer (connection refused, reset, timed out)
    error: str | None = None

    @property
    def status(self) -> int | None:
        return None if self.answer is None else self.answer.status


@attrs.define
class Load:
    """What the clients saw so far; safe to read while they run."""

    outcomes: list[Outcome] = attrs.Factory(list)
    _lock: threading.Lock = attrs.Factory(threading.Lock)

    def add(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def seen(self) -> list[Outcome]:
        with self._lock:
            return list(self.outcomes)

    def count(self, status: int | None, *, since: float = 0.0, kind: str | None = None) -> int:
        return sum(
            1
            for o in self.seen()
            if o.status == status and o.at >= since and (kind is None or o.kind == kind)
        )


@attrs.frozen
class _Client:
    api: Api
    kind: str
    requests: Requests
    number: int

    def run(self, load: Load, stop: threading.Event) -> None:
        sent = 0
        while not stop.is_set():
            method, path, body = self.requests(self.number, sent)
            sent += 1
            try:
                answer = self.api.call(method, path, body, timeout=CLIENT_TIMEOUT)
            except NO_ANSWER as error:
                load.add(Outcome(self.kind, time.monotonic(), None, f"{type(error).__name__}"))
                stop.wait(0.02)  # the server is gone: do not spin
                continue
            load.add(Outcome(self.kind, time.monotonic(), answer))
            if answer.status >= 500:
                stop.wait(0.01)


@contextmanager
def load_on(api: Api, kinds: dict[str, Requests], clients_per_kind: int = 2) -> Iterator[Load]:
    """Clients sending each kind of request in a loop until the block ends."""
    load, stop = Load(), threading.Event()
    threads = [
        threading.Thread(target=_Client(api, kind, requests, n).run, args=(load, stop), daemon=True)
        for kind, requests in kinds.items()
        for n in range(clients_per_kind)
    ]
    for thread in threads:
        thread.start()
    try:
        yield load
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=CLIENT_TIMEOUT + 5)
