"""What migration 0005 builds: the free gaps as the stays leave them, chunks, a vacuumed start."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from functools import partial

import pytest
import sqlalchemy as sa

from ota_adapters.postgres import PostgresUnitOfWork, build_engine, migrate
from ota_adapters.postgres.free_gaps import CHUNK_SIZE, CHUNK_SPACING, GAPS_FROM_STAYS
from ota_adapters.postgres.search import SearchBounds
from ota_core import DatesUnavailable, PropertyId, Reservation
from tests.builders import RECORDED_AT, a_hold, a_property, a_reservation, day, stay
from tests.integration.postgres.catalog import LEGACY_DDL, execute, rows
from tests.postgres_servers import scratch_database

KEPT_GAPS = "SELECT property_id, chunk, gap FROM property_gap ORDER BY 1, 3"
RECOMPUTED_GAPS = f"SELECT * FROM ({GAPS_FROM_STAYS}) g ORDER BY 1, 3"  # noqa: S608 -- a constant

# A catalogue of three chunks: ids "p0000".."p2499", each booked now and then.
PROPERTIES = 2 * CHUNK_SIZE + CHUNK_SIZE // 2
LEGACY_ROWS = (
    "INSERT INTO property SELECT 'p' || lpad(k::text, 4, '0'), 'a flat'"
    " FROM generate_series(0, :n - 1) AS k",
    "INSERT INTO reservation SELECT property_id, :first + 10 * s, 1 + (k * 7 + s) % 9"
    " FROM (SELECT property_id, row_number() OVER (ORDER BY property_id) AS k FROM property) p,"
    " generate_series(0, 5) AS s WHERE (k + s) % 3 <> 0",
)


MISPLACED_GAPS = (
    "SELECT count(*) FROM property_gap g JOIN property p USING (property_id)"
    " WHERE g.chunk <> p.chunk"
)


@pytest.fixture
def migrated_catalogue(server: str) -> Iterator[str]:
    """A legacy database of `PROPERTIES` properties with stays, migrated to the latest schema."""
    with scratch_database(server) as url:
        execute(url, *LEGACY_DDL)
        engine = build_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(sa.text(LEGACY_ROWS[0]), {"n": PROPERTIES})
                connection.execute(sa.text(LEGACY_ROWS[1]), {"first": day(0)})
        finally:
            engine.dispose()
        migrate(url)
        yield url


def test_the_migration_fills_the_gaps_between_the_stays_and_numbers_chunks_apart(
    migrated_catalogue: str,
) -> None:
    kept = rows(migrated_catalogue, KEPT_GAPS)
    assert kept == rows(migrated_catalogue, RECOMPUTED_GAPS)
    assert len(kept) > PROPERTIES
    chunks = rows(migrated_catalogue, "SELECT chunk, count(*) FROM property GROUP BY 1 ORDER BY 1")
    assert chunks == [(0, CHUNK_SIZE), (CHUNK_SPACING, CHUNK_SIZE), (2 * CHUNK_SPACING, 500)]


def test_the_migration_leaves_the_tables_vacuumed_and_analyzed(migrated_catalogue: str) -> None:
    vacuumed = rows(
        migrated_catalogue,
        "SELECT relname, last_vacuum IS NOT NULL, last_analyze IS NOT NULL"
        " FROM pg_stat_user_tables WHERE relname <> 'alembic_version' ORDER BY 1",
    )
    assert ("property", True, True) in vacuumed
    assert ("property_gap", True, True) in vacuumed
    assert ("reservation", True, True) in vacuumed


PROBE_EVERY_PROPERTY = sa.text(
    "SELECT property_id FROM property p WHERE property_id > :after AND NOT EXISTS ("
    " SELECT 1 FROM reservation r WHERE r.property_id = p.property_id"
    " AND r.status = 'confirmed' AND r.start_date < :end AND r.end_date > :start"
    " AND (r.expires_at IS NULL OR r.expires_at > :now))"
    " ORDER BY property_id LIMIT :limit"
)


def _assert_pages_are_those_of_a_probe_of_every_property(url: str) -> None:
    engine = build_engine(url)
    rng = random.Random(21)  # noqa: S311 -- reproducible data, nothing secret
    try:
        for bounds in (SearchBounds(), SearchBounds(probe_budget=3, sparse_cap=5)):
            uow = partial(PostgresUnitOfWork, engine, search_bounds=bounds)
            for _ in range(60):
                wanted = stay(rng.randrange(-5, 60), rng.randrange(1, 12))
                after = f"p{rng.randrange(PROPERTIES):04d}"
                limit = rng.choice((1, 10, 100))
                with uow() as work:
                    found = work.properties.list_free(
                        wanted, after=PropertyId(after), limit=limit, now=RECORDED_AT
                    )
                values = {"after": after, "start": wanted.start, "end": wanted.end,
                          "limit": limit, "now": RECORDED_AT}  # fmt: skip
                with engine.connect() as connection:
                    expected = connection.execute(PROBE_EVERY_PROPERTY, values).scalars()
                    assert [p.id for p in found] == list(expected)
    finally:
        engine.dispose()


def test_pages_across_chunks_are_those_of_a_probe_of_every_property(
    migrated_catalogue: str,
) -> None:
    _assert_pages_are_those_of_a_probe_of_every_property(migrated_catalogue)


def test_a_chunk_split_below_the_next_one_numbers_its_upper_half_in_between(
    migrated_catalogue: str,
) -> None:
    engine = build_engine(migrated_catalogue)
    try:
        with PostgresUnitOfWork(engine) as work:
            for k in range(CHUNK_SIZE):
                work.properties.add(a_property(f"p{k:04d}a"))
            work.properties.add(a_property("p0999b"))  # the first to find chunk 0 full
            work.commit()
    finally:
        engine.dispose()
    chunks = rows(migrated_catalogue, "SELECT DISTINCT chunk FROM property ORDER BY 1")
    assert chunks == [(0,), (CHUNK_SPACING // 2,), (CHUNK_SPACING,), (2 * CHUNK_SPACING,)]
    assert rows(migrated_catalogue, MISPLACED_GAPS) == [(0,)]
    _assert_pages_are_those_of_a_probe_of_every_property(migrated_catalogue)


def _change(
    uow: partial[PostgresUnitOfWork], booked: list[Reservation], rng: random.Random
) -> None:
    """Cancel, confirm (a live hold) or move (a booking) one of `booked`."""
    chosen = booked.pop(rng.randrange(len(booked)))
    with uow() as work:
        if chosen.is_hold and chosen.occupies(RECORDED_AT):
            booked.append(chosen.confirm())
            work.reservations.save(chosen.confirm())
        elif not chosen.is_hold and rng.random() < 0.5:
            moved = chosen.moved_to(stay(rng.randrange(-20, 80), rng.randrange(1, 9)))
            try:
                work.reservations.move(moved, now=RECORDED_AT)
                booked.append(moved)
            except DatesUnavailable:
                booked.append(chosen)
        elif work.reservations.get(chosen.id) is not None:  # not an expired hold deleted
            work.reservations.save(chosen.cancel())
        work.commit()


def test_the_triggers_keep_the_gaps_as_the_stays_leave_them(migrated_catalogue: str) -> None:
    engine = build_engine(migrated_catalogue)
    rng = random.Random(5)  # noqa: S311 -- reproducible data, nothing secret
    uow = partial(PostgresUnitOfWork, engine)
    try:
        with uow() as work:
            work.properties.add(a_property("p0999a"))  # between two chunks: the lower one's
            work.commit()
        booked = []
        for _ in range(300):
            property_id = rng.choice(("p0001", "p0999", "p0999a", "p1000", "p2499"))
            wanted = stay(rng.randrange(-20, 80), rng.randrange(1, 9))
            # Holds: some live at RECORDED_AT, some expired (deleted by the writes in their way).
            expiry = RECORDED_AT + dt.timedelta(minutes=rng.choice((-5, 5)))
            held = rng.random() < 0.4
            reservation = a_hold(property_id, wanted, expires_at=expiry) if held else (
                a_reservation(property_id, wanted))  # fmt: skip
            try:
                with uow() as work:
                    work.reservations.add(reservation)
                    work.commit()
                booked.append(reservation)
            except DatesUnavailable:
                continue
            if booked and rng.random() < 0.4:
                _change(uow, booked, rng)
    finally:
        engine.dispose()
    assert rows(migrated_catalogue, KEPT_GAPS) == rows(migrated_catalogue, RECOMPUTED_GAPS)
    assert rows(migrated_catalogue, MISPLACED_GAPS) == [(0,)]
    assert rows(migrated_catalogue, "SELECT chunk FROM property WHERE property_id = 'p0999a'") == [
        (0,)
    ]


def test_a_chunk_grown_to_twice_its_size_is_split_in_id_order(engine: sa.Engine) -> None:
    uow = partial(PostgresUnitOfWork, engine)
    ids = [f"q{k:04d}" for k in range(2 * CHUNK_SIZE + 100)]
    with uow() as work:
        for property_id in ids:
            work.properties.add(a_property(property_id))
        work.commit()
    with uow() as work:  # before every other one
        work.properties.add(a_property("a"))
        work.commit()

    with engine.connect() as connection:
        chunks = connection.execute(
            sa.text("SELECT chunk, count(*), min(property_id) FROM property GROUP BY 1 ORDER BY 1")
        ).all()
        misplaced = connection.execute(sa.text(MISPLACED_GAPS)).scalar_one()
    assert [tuple(row) for row in chunks] == [
        (0, CHUNK_SIZE + 1, "a"),
        (CHUNK_SPACING, CHUNK_SIZE + 100, f"q{CHUNK_SIZE:04d}"),
    ]
    assert misplaced == 0
