"""Migrations take a legacy database and an empty one to the same schema."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ota_adapters.ids import legacy_reservation_id
from ota_adapters.postgres import build_engine, migrate, schema_is_current
from ota_adapters.postgres.legacy_checks import LegacyDataRejected
from ota_adapters.postgres.migration import LEGACY_REVISION, downgrade, head_revisions
from ota_adapters.postgres.schema import metadata
from ota_adapters.sample_data import sample_legacy_stays
from ota_core import LONGEST_STAY_NIGHTS
from tests.integration.postgres.catalog import (
    catalog,
    create_legacy_database,
    execute,
    rows,
)
from tests.postgres_servers import scratch_database

RESERVATIONS = (
    "SELECT property_id, start_date, number_of_nights, reservation_id, status"
    " FROM reservation ORDER BY property_id, start_date"
)


@pytest.fixture
def database(server: str) -> Iterator[str]:
    with scratch_database(server) as url:
        yield url


@pytest.fixture
def legacy_database(database: str) -> str:
    create_legacy_database(database)
    return database


def test_every_legacy_reservation_keeps_its_row_and_gets_the_id_python_gives_it(
    legacy_database: str,
) -> None:
    migrate(legacy_database)

    migrated = rows(legacy_database, RESERVATIONS)
    expected = sorted(
        (s.property_id, s.start_date, s.number_of_nights, legacy_reservation_id(
            s.property_id, s.start_date, s.number_of_nights), "confirmed")
        for s in sample_legacy_stays()
    )  # fmt: skip
    assert len(migrated) == 11
    assert sorted(migrated) == expected
    assert len({row[3] for row in migrated}) == 11
    assert rows(legacy_database, "SELECT count(*) FROM property WHERE description <> ''") == [(7,)]


def test_an_empty_database_reaches_the_same_schema_as_a_legacy_one(
    legacy_database: str, server: str
) -> None:
    migrate(legacy_database)
    with scratch_database(server) as empty:
        migrate(empty)
        assert catalog(empty) == catalog(legacy_database)


def test_the_migrated_schema_is_the_one_the_adapter_queries(legacy_database: str) -> None:
    migrate(legacy_database)
    engine = build_engine(legacy_database)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_the_nights_check_is_the_bound_search_relies_on(legacy_database: str) -> None:
    migrate(legacy_database)
    [(definition,)] = rows(
        legacy_database,
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conname = 'reservation_nights_check'",
    )
    assert definition == (
        f"CHECK (((number_of_nights >= 1) AND (number_of_nights <= {LONGEST_STAY_NIGHTS})))"
    )


@pytest.mark.parametrize(
    ("bad_rows", "reported"),
    [
        (
            ["INSERT INTO reservation VALUES ('xE6vqTqA6LTwpE', '2021-01-05', 2)"],
            ["overlapping an earlier stay", "xE6vqTqA6LTwpE | 2021-01-05 | 2 | 2021-01-11"],
        ),
        (
            ["INSERT INTO reservation VALUES ('H75e1FjJFudcbC', '2021-03-01', 0)",
             "INSERT INTO reservation VALUES ('H75e1FjJFudcbC', '2021-04-01', 366)"],
            [f"outside 1..{LONGEST_STAY_NIGHTS}", "H75e1FjJFudcbC | 2021-03-01 | 0",
             "H75e1FjJFudcbC | 2021-04-01 | 366"],
        ),
        (
            ["ALTER TABLE reservation DROP CONSTRAINT reservation_property_id_fkey",
             "INSERT INTO reservation VALUES ('nowhere', '2021-01-01', 1)"],
            ["property that does not exist", "nowhere | 2021-01-01 | 1"],
        ),
        (
            ["INSERT INTO reservation VALUES ('H75e1FjJFudcbC', NULL, 3)"],
            ["missing property id, start date or number of nights", "H75e1FjJFudcbC | NULL | 3"],
        ),
        (
            ["INSERT INTO property VALUES ('no-words', NULL)"],
            ["properties without a description", "no-words"],
        ),
        (
            ["INSERT INTO property VALUES ('two words', 'a flat')",
             "INSERT INTO property VALUES (E'bell\\x07', 'a flat')",
             "INSERT INTO property VALUES ('', 'a flat')"],
            ["printable characters without spaces", "two words", "bell\x07"],
        ),
    ],
    ids=["overlap", "nights", "orphan", "missing-value", "no-description", "property-id"],
)  # fmt: skip
def test_legacy_rows_the_schema_cannot_hold_stop_the_migration_by_name_changing_nothing(
    legacy_database: str, bad_rows: list[str], reported: list[str]
) -> None:
    execute(legacy_database, *bad_rows)
    schema_before = catalog(legacy_database)
    rows_before = rows(legacy_database, "SELECT * FROM reservation ORDER BY 1, 2, 3")

    with pytest.raises(LegacyDataRejected) as rejected:
        migrate(legacy_database)

    for fragment in reported:
        assert fragment in str(rejected.value)
    assert catalog(legacy_database) == schema_before
    assert rows(legacy_database, "SELECT * FROM reservation ORDER BY 1, 2, 3") == rows_before


def test_property_ids_the_domain_takes_pass_the_legacy_checks(legacy_database: str) -> None:
    execute(legacy_database, "INSERT INTO property VALUES ('villa-ü_2.b', 'a flat')")
    migrate(legacy_database)
    assert rows(
        legacy_database, "SELECT property_id FROM property WHERE property_id LIKE 'villa%'"
    ) == [("villa-ü_2.b",)]


def test_downgrading_and_upgrading_again_gives_back_the_same_schema_and_ids(
    legacy_database: str,
) -> None:
    legacy_schema = catalog(legacy_database)
    migrate(legacy_database)
    current_schema = catalog(legacy_database)
    ids = rows(legacy_database, RESERVATIONS)

    downgrade(legacy_database, LEGACY_REVISION)
    assert catalog(legacy_database) == legacy_schema

    migrate(legacy_database)
    assert catalog(legacy_database) == current_schema
    assert rows(legacy_database, RESERVATIONS) == ids


def test_schema_is_current_only_at_the_latest_revision(database: str) -> None:
    engine = build_engine(database)
    try:
        assert not schema_is_current(engine)
        migrate(database, LEGACY_REVISION)
        assert not schema_is_current(engine)
        migrate(database)
        assert schema_is_current(engine)
    finally:
        engine.dispose()


def test_a_database_migrated_by_a_newer_release_keeps_this_release_ready(database: str) -> None:
    migrate(database)
    execute(database, "UPDATE alembic_version SET version_num = 'from_a_newer_release'")
    engine = build_engine(database)
    try:
        assert schema_is_current(engine)
    finally:
        engine.dispose()


def test_migrations_started_together_run_one_after_the_other(database: str) -> None:
    command = [str(Path(sys.executable).with_name("ota")), "migrate"]
    env = {**os.environ, "DATABASE_URL": database}
    processes = [
        subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env) for _ in range(3)
    ]

    errors = [process.communicate(timeout=120)[1] for process in processes]

    assert [process.returncode for process in processes] == [0, 0, 0], errors
    [(version,)] = rows(database, "SELECT version_num FROM alembic_version")
    assert {version} == head_revisions()


def test_an_unreachable_database_is_not_current() -> None:
    engine = build_engine("postgresql://postgres@127.0.0.1:9/nothing", connect_timeout_s=2)
    assert not schema_is_current(engine)
    engine.dispose()


def test_the_engine_reads_the_driver_from_any_postgres_url_spelling() -> None:
    for url in ("postgres://u@h/d", "postgresql://u@h/d", "postgresql+psycopg2://u@h/d"):
        assert build_engine(url).url.drivername == "postgresql+psycopg2"
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        build_engine("sqlite:///x.db")
