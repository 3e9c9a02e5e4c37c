"""The load benchmark's baseline sends the service's own SQL, as SQLAlchemy renders it."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql

from bench import baseline_app
from ota_adapters.postgres.booking import BOOKING
from ota_adapters.postgres.search import FREE_PROPERTIES
from ota_adapters.postgres.statements import OF_NAMED_PROPERTY, OWNED_RESERVATION


def _rendered(statement: object) -> str:
    compiled = statement.compile(dialect=postgresql.psycopg2.dialect())  # type: ignore[attr-defined]
    return " ".join(str(compiled).split())


def _words(sql: str) -> str:
    return " ".join(sql.split())


@pytest.mark.parametrize(
    ("sql", "service"),
    [
        (baseline_app.SEARCH, FREE_PROPERTIES),
        (baseline_app.BOOKING, BOOKING),
        (baseline_app.GET, OWNED_RESERVATION),
        (baseline_app.GET_NAMED, OF_NAMED_PROPERTY[OWNED_RESERVATION]),
    ],
    ids=["search", "booking", "read-by-id", "read-by-id-and-property"],
)
def test_each_statement_is_the_services(sql: str, service: object) -> None:
    assert _words(sql) == _rendered(service)
