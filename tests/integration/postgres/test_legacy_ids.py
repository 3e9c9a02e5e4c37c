"""The SQL the migration runs gives the ids `legacy_reservation_id` gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ota_adapters.ids import legacy_reservation_id
from ota_adapters.postgres.legacy_ids import LEGACY_ID_FUNCTION
from ota_core import PropertyId

DATABASE_SETTINGS = settings(
    deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

property_ids = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=64
)


@pytest.fixture(scope="module")
def connection(sample_engine: sa.Engine) -> Iterator[sa.Connection]:
    """A session with the migration's functions (session-local, in pg_temp)."""
    with sample_engine.connect() as connection:
        connection.execute(sa.text(LEGACY_ID_FUNCTION))
        yield connection
        connection.rollback()


@DATABASE_SETTINGS
@given(
    property_id=property_ids,
    start=st.dates(dt.date(1, 1, 1), dt.date(9998, 12, 31)),
    nights=st.integers(1, 365),
)
def test_sql_and_python_give_the_same_legacy_id(
    connection: sa.Connection, property_id: str, start: dt.date, nights: int
) -> None:
    in_sql = connection.execute(
        sa.text("SELECT pg_temp.ota_legacy_reservation_id(:p, :s, :n)"),
        {"p": property_id, "s": start, "n": nights},
    ).scalar()
    assert in_sql == legacy_reservation_id(PropertyId(property_id), start, nights)
