"""Waiting for PostgreSQL with deadlines: a server that stops answering cannot hold a thread.

`statement_timeout` is the server's own: a server that is frozen (stopped,
its machine paused or swapping) or cut off never ends the statement, and
libpq waits for its answer for as long as the socket stays open, which a
peer that still acknowledges TCP keeps open forever.

libpq waits as it does by default, in C with the interpreter released, once
per statement. A watchdog thread, one per process, ends the wait of a
statement that outlives its connection's deadline (`answer_timeout_s`): it
shuts the connection's socket down, libpq reads the end of the stream,
psycopg2 marks the connection broken, and the statement raises `NoAnswer`.
SQLAlchemy then drops the connection from the pool and the adapter reports
the database as unavailable. A new connection is bounded by libpq's own
`connect_timeout`.

(psycopg2 can also hand libpq's waiting to Python, through a wait callback.
The service did so until it measured the cost: each statement then took
the interpreter back two or three times instead of once, which under 100
threads cost each booking 3 to 5 more context switches than without.)
"""

from __future__ import annotations

import functools
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg2
import psycopg2.extensions as pg

from ota_adapters.forks import reset_in_forked_children

T = TypeVar("T")

TICK_S = 0.2
"""How often the watchdog looks for statements past their deadline: how late it may end one."""


class NoAnswer(psycopg2.OperationalError):
    """The server did not answer within the deadline."""


class Watchdog:
    """Shuts the socket of a statement that outlives its deadline, so that its wait ends.

    `watch` before the statement, `release` after it. Both are a dictionary
    operation, which the interpreter does at once: whichever of the statement
    (`release`) and the watchdog (`end_overdue`) takes the entry first
    decides whether the statement was ended, and a statement the watchdog is
    ending waits in `release` until its socket is shut, so the socket of a
    later statement is never touched.
    """

    def __init__(self, tick_s: float | None = TICK_S) -> None:
        """`tick_s`: how often its thread ends what is overdue (None: no thread, call
        `end_overdue` instead)."""
        self._tick_s = tick_s
        self._watched: dict[int, tuple[float, int]] = {}  # token: (deadline, socket's fd)
        self._tokens = itertools.count()
        self._ending = threading.Lock()  # held while a socket is shut
        self._started = threading.Lock()
        self._running = False
        reset_in_forked_children(self, Watchdog._forget_thread)

    def watch(self, fd: int, timeout_s: float) -> int:
        """Watch the statement about to wait on socket `fd`: a token for `release`."""
        if not self._running and self._tick_s is not None:
            self._start(self._tick_s)
        token = next(self._tokens)
        self._watched[token] = (time.monotonic() + timeout_s, fd)
        return token

    def release(self, token: int) -> bool:
        """The statement is over: True if it ended by itself, False if the watchdog ended it."""
        if self._watched.pop(token, None) is not None:
            return True
        with self._ending:  # the watchdog took it: wait until its socket is shut
            return False

    def _start(self, tick_s: float) -> None:
        with self._started:
            if not self._running:
                threading.Thread(
                    target=self._run, args=(tick_s,), name="ota-db-watchdog", daemon=True
                ).start()
                self._running = True

    def _forget_thread(self) -> None:
        """In a forked child: the parent's thread did not come along; the next watch starts one."""
        self._running = False
        self._watched.clear()
        self._ending, self._started = threading.Lock(), threading.Lock()

    def _run(self, tick_s: float) -> None:
        while True:
            time.sleep(tick_s)
            self.end_overdue(time.monotonic())

    def end_overdue(self, now: float) -> None:
        """End the wait of every statement whose deadline is `now` or earlier."""
        for token, (deadline, fd) in self._watched.copy().items():
            if deadline > now:
                continue
            with self._ending:
                if self._watched.pop(token, None) is not None:
                    _shut(fd)


def _shut(fd: int) -> None:
    """End every wait on the socket `fd` (it stays open: its owner closes it)."""
    try:
        with socket.socket(fileno=os.dup(fd)) as duplicate:
            duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed meanwhile: nothing waits on it any more


WATCHDOG = Watchdog()


def _watched(connection: DeadlineConnection, run: Callable[..., T], *args: Any) -> T:
    """`run(*args)`, a round trip on `connection`, ended after its answer deadline."""
    timeout_s = connection.answer_timeout_s
    if timeout_s is None:
        return run(*args)
    token = WATCHDOG.watch(connection.fileno(), timeout_s)
    try:
        result = run(*args)
    except BaseException as error:
        if not WATCHDOG.release(token) and isinstance(error, psycopg2.OperationalError):
            raise NoAnswer(f"the server did not answer within {timeout_s:g} s") from error
        raise
    WATCHDOG.release(token)
    return result


class DeadlineCursor(pg.cursor):
    """A cursor whose statements wait for their answer up to the connection's deadline."""

    connection: DeadlineConnection

    def execute(self, query: Any, vars: Any = None) -> None:  # psycopg2's names
        _watched(self.connection, super().execute, query, vars)

    def executemany(self, query: Any, vars_list: Any) -> None:
        _watched(self.connection, super().executemany, query, vars_list)


class DeadlineConnection(pg.connection):
    """A connection whose round trips wait `answer_timeout_s` at most (None: no deadline)."""

    answer_timeout_s: float | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_factory = DeadlineCursor

    def commit(self) -> None:
        _watched(self, super().commit)

    def rollback(self) -> None:
        _watched(self, super().rollback)


@functools.cache
def connection_class(answer_timeout_s: float | None) -> type[DeadlineConnection]:
    """The connection class (psycopg2's `connection_factory`) for one deadline."""
    return type("DeadlineConnection", (DeadlineConnection,), {"answer_timeout_s": answer_timeout_s})
