"""The deadlines of the wait callback, against a server that takes a connection and then freezes."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import partial

import psycopg2
import pytest

from ota_adapters.postgres.deadlines import DeadlineConnection, NoAnswer, wait_with_deadlines

DEADLINE_S = 0.5
SLACK_S = 5.0  # a loaded 2-core machine answers late, never early
SSL_REQUEST = 80877103


def _message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _greeting() -> bytes:
    """What a server sends once it has accepted a session: no password, a few settings, ready."""
    settings = {"server_version": "15.0", "client_encoding": "UTF8", "DateStyle": "ISO, MDY",
                "integer_datetimes": "on", "standard_conforming_strings": "on"}  # fmt: skip
    return b"".join(
        [
            _message(b"R", struct.pack("!i", 0)),
            *(_message(b"S", f"{k}\0{v}\0".encode()) for k, v in settings.items()),
            _message(b"K", struct.pack("!ii", 1, 2)),
            _message(b"Z", b"I"),
        ]
    )


def _read_startup(peer: socket.socket) -> None:
    while True:
        (length,) = struct.unpack("!i", peer.recv(4, socket.MSG_WAITALL))
        packet = peer.recv(length - 4, socket.MSG_WAITALL)
        if struct.unpack("!i", packet[:4])[0] != SSL_REQUEST:
            return
        peer.sendall(b"N")


def _serve_then_freeze(listener: socket.socket, greet: bool) -> None:
    """Take one client; greet it if asked, then answer nothing until it hangs up."""
    peer, _ = listener.accept()
    with peer:
        _read_startup(peer)
        if greet:
            peer.sendall(_greeting())
        while peer.recv(4096):
            pass


@contextmanager
def frozen_server(*, greets: bool) -> Iterator[str]:
    """A DSN of a server that accepts one connection and then never answers (after greeting it)."""
    with closing(socket.create_server(("127.0.0.1", 0))) as listener:
        serving = threading.Thread(target=_serve_then_freeze, args=(listener, greets), daemon=True)
        serving.start()
        port = listener.getsockname()[1]
        yield f"host=127.0.0.1 port={port} user=ota dbname=ota sslmode=disable gssencmode=disable"
        serving.join(timeout=SLACK_S)


@pytest.fixture(autouse=True)
def with_deadlines() -> None:
    wait_with_deadlines()


def _within_deadline(started: float, deadline_s: float) -> bool:
    return deadline_s <= time.monotonic() - started < deadline_s + SLACK_S


def test_a_statement_the_server_never_answers_is_given_up_and_its_connection_closed() -> None:
    factory = partial(DeadlineConnection, answer_timeout_s=DEADLINE_S)
    with frozen_server(greets=True) as dsn:
        connection = psycopg2.connect(dsn, connection_factory=factory)
        started = time.monotonic()
        with pytest.raises(NoAnswer, match=f"within {DEADLINE_S:g} s"):
            connection.cursor().execute("SELECT 1")
        assert _within_deadline(started, DEADLINE_S)
        assert connection.closed


@pytest.mark.parametrize("factory", [partial(DeadlineConnection, answer_timeout_s=None), None])
def test_connecting_to_a_server_that_never_answers_is_given_up_after_connect_timeout(
    factory: object,
) -> None:
    with frozen_server(greets=False) as dsn:
        started = time.monotonic()
        with pytest.raises(NoAnswer, match="within 1 s"):
            psycopg2.connect(f"{dsn} connect_timeout=1", connection_factory=factory)
        assert _within_deadline(started, 1.0)
