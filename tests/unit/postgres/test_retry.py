"""The bounded retry around an insert that PostgreSQL aborted to break a deadlock."""

from __future__ import annotations

import psycopg2.errors
import pytest
import sqlalchemy as sa

from ota_adapters.postgres.retry import MAX_ATTEMPTS, retry_transient


def _failure(cause: Exception) -> sa.exc.DBAPIError:
    return sa.exc.OperationalError("INSERT INTO reservation ...", {}, cause)


class FlakyInsert:
    """Fails with `errors` one after the other, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self._errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self._errors:
            raise self._errors.pop(0)
        return "inserted"


def test_an_insert_that_deadlocked_once_is_run_again_and_succeeds(
    logged_warnings: list[str],
) -> None:
    insert = FlakyInsert(_failure(psycopg2.errors.DeadlockDetected()))

    assert retry_transient(insert, what=lambda: "booking") == "inserted"
    assert insert.calls == 2
    assert logged_warnings == [
        f"booking hit a transient conflict (DeadlockDetected), trying again: attempt 2 of "
        f"{MAX_ATTEMPTS}\n"
    ]


def test_a_serialization_failure_is_retried_too() -> None:
    insert = FlakyInsert(_failure(psycopg2.errors.SerializationFailure()))
    assert retry_transient(insert, what=lambda: "booking") == "inserted"


def test_after_the_last_attempt_the_deadlock_propagates(logged_warnings: list[str]) -> None:
    insert = FlakyInsert(*[_failure(psycopg2.errors.DeadlockDetected())] * MAX_ATTEMPTS)

    with pytest.raises(sa.exc.OperationalError):
        retry_transient(insert, what=lambda: "booking")
    assert insert.calls == MAX_ATTEMPTS
    assert len(logged_warnings) == MAX_ATTEMPTS - 1


@pytest.mark.parametrize(
    "error",
    [
        _failure(psycopg2.errors.ExclusionViolation()),
        _failure(psycopg2.OperationalError("server closed the connection")),
        ValueError("not a database error"),
    ],
    ids=["exclusion-violation", "connection-lost", "other"],
)
def test_other_errors_are_not_retried(error: Exception) -> None:
    insert = FlakyInsert(error)
    with pytest.raises(type(error)):
        retry_transient(insert, what=lambda: "booking")
    assert insert.calls == 1
