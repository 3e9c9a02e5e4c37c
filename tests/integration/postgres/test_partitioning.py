"""ADR 0007, shown: reservations hash-partitioned by property keep their rules, unchanged code.

The sample database's `reservation` table is rebuilt as a table partitioned by
`hash(property_id)`, with the constraints and index copied from the table the
migrations made (`pg_get_constraintdef`, `pg_get_indexdef`), and the changes ADR 0007
lists: the primary key gains `property_id`, the idempotency key's foreign key goes.
The adapter then runs as it is, on each server that allows it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import psycopg2.errors
import pytest
import sqlalchemy as sa

from ota_adapters.clock import FixedClock
from ota_adapters.ids import UuidV7Generator
from ota_adapters.postgres import PostgresUnitOfWork
from ota_core import (
    AvailabilityPolicy,
    DateRange,
    DatesUnavailable,
    MakeReservation,
    Property,
    PropertyId,
    Reservation,
    ReservationRequest,
)
from tests.builders import GUEST, RECORDED_AT, day, stay
from tests.postgres_servers import sample_database_engine

pytestmark = pytest.mark.postgres

PARTITIONS = 4
EXCLUSION_CONSTRAINTS_ON_PARTITIONED_TABLES = 170000  # server_version_num of PostgreSQL 17
# Stays the sample data's answers are compared on: its busy January 2021, and a quiet week.
COMPARED_STAYS = [
    *(DateRange.from_nights(dt.date(2021, 1, d), n) for d in (1, 4, 10, 15, 22) for n in (1, 7)),
    stay(0, 7),
]
RACERS = 20


def _definitions(connection: sa.Connection) -> tuple[list[str], list[str]]:
    """The unpartitioned table's constraints (but its key) and its indexes, as SQL."""
    constraints = connection.execute(
        sa.text(
            "SELECT format('ALTER TABLE reservation ADD CONSTRAINT %I %s', conname,"
            " pg_get_constraintdef(oid)) FROM pg_constraint"
            " WHERE conrelid = 'reservation'::regclass AND contype IN ('x', 'f')"
        )
    ).scalars()
    indexes = connection.execute(
        sa.text(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = 'reservation'::regclass AND NOT indisprimary"
            " AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)"
        )
    ).scalars()
    return list(constraints), [
        index.replace(" ON public.reservation ", " ON reservation ") for index in indexes
    ]


def _partition_reservations(engine: sa.Engine) -> None:
    """Rebuild `reservation` as PARTITIONS hash partitions by property, rows and rules kept."""
    with engine.begin() as connection:
        constraints, indexes = _definitions(connection)
        statements = [
            "ALTER TABLE idempotency_key DROP CONSTRAINT idempotency_key_reservation_id_fkey",
            "ALTER TABLE reservation RENAME TO reservation_unpartitioned",
            "CREATE TABLE reservation (LIKE reservation_unpartitioned INCLUDING DEFAULTS"
            " INCLUDING GENERATED INCLUDING CONSTRAINTS) PARTITION BY HASH (property_id)",
            *(
                f"CREATE TABLE reservation_{n} PARTITION OF reservation"
                f" FOR VALUES WITH (MODULUS {PARTITIONS}, REMAINDER {n})"
                for n in range(PARTITIONS)
            ),
            "INSERT INTO reservation (property_id, start_date, number_of_nights, reservation_id,"
            " status, created_at) SELECT property_id, start_date, number_of_nights,"
            " reservation_id, status, created_at FROM reservation_unpartitioned",
            "DROP TABLE reservation_unpartitioned",  # and with it the names of its rules
            "ALTER TABLE reservation ADD PRIMARY KEY (property_id, reservation_id)",
            *constraints,
            *indexes,
        ]
        for statement in statements:
            connection.exec_driver_sql(statement)


@pytest.fixture
def sample_engine_of_server(server: str) -> Iterator[sa.Engine]:
    """A database of its own with the sample data, on each server in turn (it is changed)."""
    with sample_database_engine(server) as engine:
        yield engine


def _server_version(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SHOW server_version_num").scalar_one())


def _free(engine: sa.Engine) -> list[list[Property]]:
    with PostgresUnitOfWork(engine) as work:
        return [
            list(work.properties.list_free(s, after=None, limit=1000, now=RECORDED_AT))
            for s in COMPARED_STAYS
        ]


def _race_for_one_stay(engine: sa.Engine, property_id: str) -> list[Reservation | Exception]:
    book = MakeReservation(
        partial(PostgresUnitOfWork, engine), AvailabilityPolicy(), FixedClock(RECORDED_AT),
        UuidV7Generator(),
    )  # fmt: skip
    wanted = ReservationRequest.of(property_id, day(40), 3)
    start_together = threading.Barrier(RACERS)

    def attempt() -> Reservation | Exception:
        start_together.wait()
        try:
            return book.execute(wanted, GUEST).reservation
        except DatesUnavailable as refused:
            return refused

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(lambda _: attempt(), range(RACERS)))


def _partitions_with_the_overlap_rule(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.exec_driver_sql(
                "SELECT count(*) FROM pg_constraint c JOIN pg_inherits i ON i.inhrelid = c.conrelid"
                " WHERE i.inhparent = 'reservation'::regclass AND c.contype = 'x'"
            ).scalar_one()
        )


def test_partitioned_by_property_the_rules_and_the_adapter_hold(
    sample_engine_of_server: sa.Engine,
) -> None:
    engine = sample_engine_of_server
    if _server_version(engine) < EXCLUSION_CONSTRAINTS_ON_PARTITIONED_TABLES:
        with pytest.raises(sa.exc.NotSupportedError) as refused:
            _partition_reservations(engine)
        assert isinstance(refused.value.orig, psycopg2.errors.FeatureNotSupported)
        return
    answers_before = _free(engine)
    assert len({tuple(answer) for answer in answers_before}) > 1, "stays that tell apart"

    _partition_reservations(engine)

    assert _partitions_with_the_overlap_rule(engine) == PARTITIONS
    assert _free(engine) == answers_before
    property_id = answers_before[-1][0].id  # free in the quiet week
    outcomes = _race_for_one_stay(engine, property_id)
    booked = [o for o in outcomes if isinstance(o, Reservation)]
    assert len(booked) == 1
    with PostgresUnitOfWork(engine) as work:
        assert work.reservations.get(booked[0].id) == booked[0]
        free_then = work.properties.list_free(stay(40, 3), after=None, limit=1000, now=RECORDED_AT)
    assert PropertyId(property_id) not in {p.id for p in free_then}
