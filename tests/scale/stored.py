"""The database behind the instances: what is stored, and holding bookings back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from ota_adapters.postgres.engine import one_off_connection
from ota_adapters.sample_data import sample_properties

PROPERTY_IDS = sorted(p.id for p in sample_properties())


def days_ahead(days: int) -> dt.date:
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)


def booking(property_id: str, start: dt.date, nights: int = 1) -> dict[str, object]:
    return {"property_id": property_id, "start_date": start.isoformat(), "nights": nights}


def distinct_night(number: int, first_day: int) -> dict[str, object]:
    """Booking `number` of a series of single nights from `first_day` days ahead: each property
    in turn, then the next day, so that no two overlap."""
    start = days_ahead(first_day + number // len(PROPERTY_IDS))
    return booking(PROPERTY_IDS[number % len(PROPERTY_IDS)], start)


def reservation_ids(
    url: str, property_id: str | None = None, since: dt.date | None = None
) -> list[str]:
    """Ids of the reservations stored (of one property, starting on or after `since`)."""
    query = sa.text(
        "SELECT reservation_id::text FROM reservation"
        " WHERE (CAST(:property_id AS text) IS NULL OR property_id = :property_id)"
        " AND (CAST(:since AS date) IS NULL OR start_date >= :since) ORDER BY 1"
    )
    with one_off_connection(url) as connection:
        found = connection.execute(query, {"property_id": property_id, "since": since})
        return list(found.scalars())


def idempotency_keys(url: str) -> dict[str, str]:
    """Each idempotency key stored, with the id of the reservation it names."""
    query = sa.text("SELECT key, reservation_id::text FROM idempotency_key")
    with one_off_connection(url) as connection:
        return dict(connection.execute(query).all())


def _waiting_on_locks(connection: sa.Connection) -> int:
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
    )
    return int(connection.execute(query).scalar_one())


@contextmanager
def bookings_held(url: str, property_id: str) -> Iterator[Callable[[], int]]:
    """Until the block ends, bookings of `property_id` wait in the database.

    A session holds the property's row lock, which every booking of the
    property takes first (`ota_adapters.postgres.booking`). Yields a count of
    the other sessions waiting on a lock: the bookings of the property. It is
    asked on a connection of its own, in autocommit: inside a transaction,
    PostgreSQL shows the sessions' activity as it was when first asked.
    """
    hold = sa.text("SELECT 1 FROM property WHERE property_id = :property_id FOR NO KEY UPDATE")
    with (
        one_off_connection(url) as holder,
        holder.begin(),
        one_off_connection(url, autocommit=True) as watcher,
    ):
        holder.execute(hold, {"property_id": property_id})
        yield lambda: _waiting_on_locks(watcher)
