"""The deadlines on waiting for PostgreSQL, against a server that accepts and never answers."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import psycopg2
import pytest

from ota_adapters.postgres.waiting import NoAnswer, connection_class, wait_with_deadlines


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
    wait_with_deadlines()
    started = time.monotonic()
    with pytest.raises(NoAnswer, match="within 1 s"):
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
