"""The SQL the migration runs gives the ids `legacy_reservation_id` gives."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ota_adapters.ids import LEGACY_RESERVATION_NAMESPACE, legacy_reservation_id
from ota_adapters.postgres.legacy_ids import CREATE_FUNCTIONS
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
        for function in CREATE_FUNCTIONS:
            connection.execute(sa.text(function))
        yield connection
        connection.rollback()


@DATABASE_SETTINGS
@given(message=st.binary(max_size=300))
def test_the_sql_sha1_is_sha1(connection: sa.Connection, message: bytes) -> None:
    digest = connection.execute(sa.text("SELECT pg_temp.ota_sha1(:m)"), {"m": message}).scalar()
    assert bytes(digest) == hashlib.sha1(message).digest()  # noqa: S324 - UUIDv5 is SHA-1


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


def test_uuid_ossp_agrees_where_the_server_has_it(connection: sa.Connection) -> None:
    available = connection.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'uuid-ossp'")
    ).scalar()
    if available is None:
        pytest.skip("this server has no uuid-ossp (the embedded one does not ship it)")
    connection.execute(sa.text('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"'))
    name = "xE6vqTqA6LTwpE/2021-01-02/2"
    generated = connection.execute(
        sa.text("SELECT uuid_generate_v5(:ns, :name)"),
        {"ns": LEGACY_RESERVATION_NAMESPACE, "name": name},
    ).scalar()
    ours = connection.execute(
        sa.text("SELECT pg_temp.ota_legacy_reservation_id('xE6vqTqA6LTwpE', '2021-01-02', 2)")
    ).scalar()
    assert generated == ours == uuid.uuid5(LEGACY_RESERVATION_NAMESPACE, name)
