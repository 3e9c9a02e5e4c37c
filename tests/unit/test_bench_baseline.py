"""The load benchmark's baseline sends the service's own SQL, as SQLAlchemy renders it."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql

from bench import baseline_app
from ota_adapters.postgres.statements import free_properties_statement, insert_in_turn


def _rendered(statement: object) -> str:
    compiled = statement.compile(dialect=postgresql.psycopg2.dialect())  # type: ignore[attr-defined]
    return " ".join(str(compiled).split())


def _words(sql: str) -> str:
    return " ".join(sql.split())


@pytest.mark.parametrize(
    ("with_cursor", "sql"),
    [(False, baseline_app.SEARCH_FIRST_PAGE), (True, baseline_app.SEARCH_AFTER)],
)
def test_search_is_the_service_query(*, with_cursor: bool, sql: str) -> None:
    assert _words(sql) == _rendered(free_properties_statement(with_cursor=with_cursor))


def test_booking_is_the_service_insert() -> None:
    assert _words(baseline_app.INSERT) == _rendered(insert_in_turn())
    compiled = insert_in_turn().compile(dialect=postgresql.psycopg2.dialect())
    assert compiled.params["pg_advisory_xact_lock_2"] == baseline_app.BOOKING_LOCKS
