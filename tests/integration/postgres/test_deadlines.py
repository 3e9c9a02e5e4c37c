"""The answer deadline on a live server: a statement past it is given up, one within it is not."""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import partial

import psycopg2
import pytest

from ota_adapters.postgres.deadlines import DeadlineConnection, NoAnswer, wait_with_deadlines

pytestmark = pytest.mark.postgres

DEADLINE_S = 0.5
SLACK_S = 5.0  # a loaded 2-core machine answers late, never early


@pytest.fixture
def deadline_connection(server: str) -> Iterator[psycopg2.extensions.connection]:
    """A connection whose answers may take DEADLINE_S, with no statement timeout of its own."""
    wait_with_deadlines()
    factory = partial(DeadlineConnection, answer_timeout_s=DEADLINE_S)
    connection = psycopg2.connect(server, connection_factory=factory)
    try:
        yield connection
    finally:
        connection.close()


def test_a_statement_past_its_deadline_is_given_up_and_its_connection_closed(
    deadline_connection: psycopg2.extensions.connection,
) -> None:
    started = time.monotonic()
    with pytest.raises(NoAnswer, match=f"within {DEADLINE_S:g} s"):
        deadline_connection.cursor().execute("SELECT pg_sleep(3)")

    assert DEADLINE_S <= time.monotonic() - started < DEADLINE_S + SLACK_S
    assert deadline_connection.closed


def test_statements_and_commits_within_the_deadline_are_answered(
    deadline_connection: psycopg2.extensions.connection,
) -> None:
    for _ in range(3):  # each wait has a deadline of its own: none adds up across them
        with deadline_connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", (DEADLINE_S / 2,))
        deadline_connection.commit()
    with deadline_connection.cursor() as cursor:
        cursor.executemany("SELECT %s", [(1,), (2,)])
    deadline_connection.rollback()

    assert not deadline_connection.closed
