"""The deadlines on waiting for PostgreSQL, against servers that never answer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import psycopg2
import pytest

from ota_adapters.postgres.waiting import Watchdog, connection_class


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port whose connections are taken by the kernel and never answered."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_connecting_to_a_server_that_never_answers_gives_up_after_connect_timeout(
    silent_server: int,
) -> None:
    started = time.monotonic()
    with pytest.raises(psycopg2.OperationalError, match="timeout expired"):
        psycopg2.connect(
            host="127.0.0.1",
            port=silent_server,
            connect_timeout=1,
            connection_factory=connection_class(answer_timeout_s=None),
        )
    assert 1 <= time.monotonic() - started < 10


def test_the_deadline_of_an_answer_comes_with_the_connection_class() -> None:
    assert connection_class(2.5).answer_timeout_s == 2.5
    assert connection_class(2.5) is connection_class(2.5)
    assert connection_class(None).answer_timeout_s is None


@pytest.fixture
def peers() -> Iterator[tuple[socket.socket, socket.socket]]:
    """Two connected sockets: the client's, on which a read waits, and the silent server's."""
    client, server = socket.socketpair()
    with client, server:
        yield client, server


@pytest.fixture
def watchdog() -> Watchdog:
    """A watchdog without its thread: the test ends what is overdue."""
    return Watchdog(tick_s=None)


def test_a_wait_past_its_deadline_is_ended_and_its_statement_told(
    peers: tuple[socket.socket, socket.socket], watchdog: Watchdog
) -> None:
    client, _server = peers
    token = watchdog.watch(client.fileno(), timeout_s=0.0)
    waiting = threading.Thread(target=client.recv, args=(1,))
    waiting.start()

    watchdog.end_overdue(time.monotonic())

    waiting.join(timeout=5)
    assert not waiting.is_alive()  # the read came back: the socket was shut down
    assert watchdog.release(token) is False
    assert client.fileno() != -1  # shut, not closed: closing it is its owner's business


def test_a_statement_done_in_time_is_left_alone(
    peers: tuple[socket.socket, socket.socket], watchdog: Watchdog
) -> None:
    client, server = peers
    on_time = watchdog.watch(client.fileno(), timeout_s=60.0)
    overdue_but_done = watchdog.watch(client.fileno(), timeout_s=0.0)
    assert watchdog.release(overdue_but_done) is True  # done before the watchdog looked

    watchdog.end_overdue(time.monotonic())

    server.sendall(b"x")
    assert client.recv(1) == b"x"  # still open both ways
    assert watchdog.release(on_time) is True


def test_the_watchdog_ends_a_wait_by_itself_within_a_few_ticks(
    peers: tuple[socket.socket, socket.socket],
) -> None:
    client, _server = peers
    watchdog = Watchdog(tick_s=0.05)
    started = time.monotonic()
    token = watchdog.watch(client.fileno(), timeout_s=0.2)

    assert client.recv(1) == b""  # the end of the stream, once the deadline passed
    assert 0.2 <= time.monotonic() - started < 5
    assert watchdog.release(token) is False
