"""The load benchmark's baseline sends the service's own SQL, as SQLAlchemy renders it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.dialects import postgresql

from bench import baseline_app
from ota_adapters.postgres.statements import free_properties_query, insert_in_turn
from ota_core import DateRange, PropertyId

STAY = DateRange.from_nights(dt.date(2025, 1, 1), 3)


def _rendered(statement: object) -> str:
    compiled = statement.compile(dialect=postgresql.psycopg2.dialect())  # type: ignore[attr-defined]
    return " ".join(str(compiled).split())


def _words(sql: str) -> str:
    return " ".join(sql.split())


@pytest.mark.parametrize(
    ("after", "sql"),
    [(None, baseline_app.SEARCH_FIRST_PAGE), (PropertyId("x"), baseline_app.SEARCH_AFTER)],
)
def test_search_is_the_service_query(after: PropertyId | None, sql: str) -> None:
    assert _words(sql) == _rendered(free_properties_query(STAY, after, 100))


def test_booking_is_the_service_insert() -> None:
    assert _words(baseline_app.INSERT) == _rendered(insert_in_turn())
    compiled = insert_in_turn().compile(dialect=postgresql.psycopg2.dialect())
    assert compiled.params["pg_advisory_xact_lock_2"] == baseline_app.BOOKING_LOCKS
