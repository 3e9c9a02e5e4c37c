"""What the Postgres adapter reports when the database refuses or cannot answer."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import cast

import psycopg2.errors
import pytest
import sqlalchemy as sa

from ota_adapters.postgres import PostgresUnitOfWork, build_engine
from ota_adapters.postgres.link import Link
from ota_adapters.postgres.repositories import PostgresPropertyRepository
from ota_adapters.postgres.statements import insert_in_turn
from ota_core import (
    DateRange,
    DatesUnavailable,
    PolicyViolation,
    PropertyId,
    ReservationId,
    ReservationNotFound,
    StorageUnavailable,
)
from tests.builders import RECORDED_AT, a_property, a_reservation, day, stay

UNREACHABLE = "postgresql://postgres@127.0.0.1:9/nothing"


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def tight_engine(engine: sa.Engine) -> Iterator[sa.Engine]:
    """One connection, short waits: 200 ms for a statement, 100 ms for the pool."""
    tight = build_engine(
        _url(engine), pool_size=1, max_overflow=0, pool_timeout=0.1, statement_timeout_ms=200
    )
    yield tight
    tight.dispose()


def test_an_unreachable_server_is_reported_as_storage_unavailable() -> None:
    engine = build_engine(UNREACHABLE, connect_timeout_s=2)
    with pytest.raises(StorageUnavailable, match="database is unavailable"):
        PostgresUnitOfWork(engine).__enter__()
    engine.dispose()


def test_a_statement_past_its_timeout_is_reported_as_storage_unavailable(
    engine: sa.Engine, tight_engine: sa.Engine
) -> None:
    with engine.connect() as holder:
        # A transaction to hold the lock in (the engine's connections autocommit).
        holder.execution_options(isolation_level="READ COMMITTED")
        holder.execute(sa.text("LOCK TABLE property IN ACCESS EXCLUSIVE MODE"))
        with pytest.raises(StorageUnavailable), PostgresUnitOfWork(tight_engine) as work:
            work.properties.get(PropertyId("P1"))
        holder.rollback()


def test_waiting_too_long_for_a_pooled_connection_is_storage_unavailable(
    tight_engine: sa.Engine,
) -> None:
    with PostgresUnitOfWork(tight_engine), pytest.raises(StorageUnavailable):
        PostgresUnitOfWork(tight_engine).__enter__()


def _end_other_sessions(engine: sa.Engine, in_state: str) -> None:
    """Make the server close this database's other OTA sessions in state `in_state`."""
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'ota' AND pid <> pg_backend_pid()"
                " AND datname = current_database() AND state = :state"
            ),
            {"state": in_state},
        )


def _read(work: PostgresUnitOfWork) -> object:
    return work.reservations.get(ReservationId(uuid.UUID(int=1)))


def _write(work: PostgresUnitOfWork) -> object:
    work.properties.add(a_property("P1"))
    return None


# A unit of work's first statement, whether it runs on its own or opens the transaction.
FIRST_STATEMENTS = pytest.mark.parametrize("first", [_read, _write])


def test_a_connection_the_server_dropped_mid_transaction_is_storage_unavailable(
    engine: sa.Engine, tight_engine: sa.Engine
) -> None:
    with PostgresUnitOfWork(tight_engine) as work:
        _write(work)  # opens the transaction
        _end_other_sessions(engine, in_state="idle in transaction")
        with pytest.raises(StorageUnavailable):
            _read(work)


@FIRST_STATEMENTS
def test_a_pooled_connection_the_server_closed_is_replaced_unseen(
    engine: sa.Engine, tight_engine: sa.Engine, first: Callable[[PostgresUnitOfWork], object]
) -> None:
    with PostgresUnitOfWork(tight_engine) as work:
        _read(work)
    _end_other_sessions(engine, in_state="idle")

    with PostgresUnitOfWork(tight_engine) as work:
        assert first(work) is None
    with PostgresUnitOfWork(tight_engine) as work:
        assert _read(work) is None, "the new connection went back to the pool"


def test_a_stay_longer_than_the_schema_holds_is_a_policy_violation(engine: sa.Engine) -> None:
    too_long = a_reservation("P1", DateRange.from_nights(day(0), 366))
    with PostgresUnitOfWork(engine) as work:
        work.properties.add(a_property("P1"))
        with pytest.raises(PolicyViolation, match="nights must be from 1 to 365"):
            work.reservations.add(too_long)


def test_the_booking_insert_writes_no_row_for_an_overlapping_stay(engine: sa.Engine) -> None:
    """A refused stay is an answer of the INSERT (no row), not a database error."""
    with PostgresUnitOfWork(engine) as work:
        work.properties.add(a_property("P1"))
        work.reservations.add(a_reservation("P1", stay(0, 3)))
        work.commit()
    overlapping = a_reservation("P1", stay(2, 2))
    row = {"reservation_id": overlapping.id, "property_id": "P1", "start_date": day(2),
           "number_of_nights": 2, "status": "confirmed", "created_at": RECORDED_AT}  # fmt: skip
    with engine.connect() as connection:
        assert connection.execute(insert_in_turn(), row).rowcount == 0
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1  # not aborted
    with PostgresUnitOfWork(engine) as work, pytest.raises(DatesUnavailable):
        work.reservations.add(overlapping)


def test_saving_a_reservation_that_was_never_stored_is_not_found(engine: sa.Engine) -> None:
    with PostgresUnitOfWork(engine) as work, pytest.raises(ReservationNotFound):
        work.reservations.save(a_reservation("P1").cancel())


def test_the_unit_of_work_is_used_inside_its_block_only(engine: sa.Engine) -> None:
    work = PostgresUnitOfWork(engine)
    with pytest.raises(RuntimeError, match="inside its `with` block"):
        work.commit()


class _ConflictWithRecovery(psycopg2.errors.SerializationFailure):
    pgcode = "40001"  # what the server sends; psycopg2 fills it in only for errors it receives


class _CancelledByStandby:
    """A link whose statements a hot standby cancels, as its replay conflicts with them."""

    def run(self, *_args: object) -> None:
        cancelled = _ConflictWithRecovery("canceling statement due to conflict with recovery")
        raise sa.exc.OperationalError("SELECT ...", {}, cancelled)


def test_a_search_a_replica_cancels_is_reported_as_storage_unavailable() -> None:
    repository = PostgresPropertyRepository(cast(Link, _CancelledByStandby()))
    with pytest.raises(StorageUnavailable, match="conflict with recovery"):
        repository.list_free(DateRange.from_nights(day(0), 2), after=None, limit=10)
