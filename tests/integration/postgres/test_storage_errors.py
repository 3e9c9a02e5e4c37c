"""What the Postgres adapter reports when the database refuses or cannot answer."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import cast

import psycopg2.errors
import pytest
import sqlalchemy as sa

from ota_adapters.postgres import PostgresReadOnlyUnitOfWork, PostgresUnitOfWork, build_engine
from ota_adapters.postgres.booking import booking
from ota_adapters.postgres.connection import UnitConnection
from ota_adapters.postgres.properties import PostgresPropertyReader
from ota_core import (
    DateRange,
    DatesUnavailable,
    PropertyId,
    ReadOnlyUnitOfWork,
    ReservationId,
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


def _read_in(engine: sa.Engine) -> object:
    with PostgresUnitOfWork(engine) as work:
        return _read(work)


def _write_in(engine: sa.Engine) -> object:
    with PostgresUnitOfWork(engine) as work:
        return _write(work)


def _read_alone_in(engine: sa.Engine) -> object:
    with PostgresReadOnlyUnitOfWork(engine) as reading:
        return reading.reservations.get(ReservationId(uuid.UUID(int=1)))


def test_a_connection_the_server_dropped_mid_transaction_is_storage_unavailable(
    engine: sa.Engine, tight_engine: sa.Engine
) -> None:
    with PostgresUnitOfWork(tight_engine) as work:
        _write(work)  # the transaction is open
        _end_other_sessions(engine, in_state="idle in transaction")
        with pytest.raises(StorageUnavailable):
            _read(work)


# A unit of work's first statement: in a transaction, reading or writing, or read on its own.
@pytest.mark.parametrize("first", [_read_in, _write_in, _read_alone_in])
def test_a_pooled_connection_the_server_closed_is_replaced_unseen(
    engine: sa.Engine, tight_engine: sa.Engine, first: Callable[[sa.Engine], object]
) -> None:
    _read_in(tight_engine)
    _end_other_sessions(engine, in_state="idle")

    assert first(tight_engine) is None
    assert _read_in(tight_engine) is None, "the new connection went back to the pool"


@pytest.mark.parametrize("unit", [PostgresUnitOfWork, PostgresReadOnlyUnitOfWork])
def test_a_connection_lost_once_the_work_is_done_is_dropped_and_the_pool_stays_whole(
    engine: sa.Engine, tight_engine: sa.Engine, unit: Callable[[sa.Engine], ReadOnlyUnitOfWork]
) -> None:
    with unit(tight_engine) as work:
        found = work.reservations.get(ReservationId(uuid.UUID(int=1)))
        _end_other_sessions(engine, in_state="idle in transaction")

    assert found is None, "the answer stands"
    assert _read_in(tight_engine) is None, "the pool of one has its connection back"


def test_a_refused_booking_is_what_its_statement_returns_not_an_error(engine: sa.Engine) -> None:
    with PostgresUnitOfWork(engine) as work:
        work.properties.add(a_property("P1"))
        work.reservations.add(a_reservation("P1", stay(0, 3)))
        work.commit()
    overlapping = a_reservation("P1", stay(2, 2))
    with engine.connect() as connection:
        outcome = connection.execute(*booking(overlapping, None)).one()
        assert outcome._asdict() == {"property_found": True, "key_taken": False, "booked": False}
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1  # not aborted
    with PostgresUnitOfWork(engine) as work, pytest.raises(DatesUnavailable):
        work.reservations.add(overlapping)


def test_the_unit_of_work_is_used_inside_its_block_only(engine: sa.Engine) -> None:
    work = PostgresUnitOfWork(engine)
    with pytest.raises(RuntimeError, match="inside its `with` block"):
        work.commit()


class _ConflictWithRecovery(psycopg2.errors.SerializationFailure):
    pgcode = "40001"  # what the server sends; psycopg2 fills it in only for errors it receives


class _CancelledByStandby:
    """A connection whose statements a hot standby cancels, as its replay conflicts with them."""

    def __init__(self) -> None:
        self.info: dict[str, object] = {}  # what a unit's connection keeps (`citus.on_citus`)

    def run(self, *_args: object) -> None:
        cancelled = _ConflictWithRecovery("canceling statement due to conflict with recovery")
        raise sa.exc.OperationalError("SELECT ...", {}, cancelled)


def test_a_search_a_replica_cancels_is_reported_as_storage_unavailable() -> None:
    reader = PostgresPropertyReader(cast(UnitConnection, _CancelledByStandby()))
    with pytest.raises(StorageUnavailable, match="conflict with recovery"):
        reader.list_free(DateRange.from_nights(day(0), 2), after=None, limit=10, now=RECORDED_AT)
