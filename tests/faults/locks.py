"""Making the service's statements wait: a table locked from another session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from ota_adapters.postgres.engine import one_off_connection


@contextmanager
def reservations_locked(url: str) -> Iterator[None]:
    """Every statement on `reservation` waits until the block ends (ACCESS EXCLUSIVE lock)."""
    with one_off_connection(url) as holder:
        holder.execute(sa.text("LOCK TABLE reservation IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            holder.rollback()


def sessions_waiting_for_a_lock(url: str) -> int:
    """How many sessions of the service wait for a lock in the database of `url`."""
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name = 'ota' AND wait_event_type = 'Lock'"
    )
    with one_off_connection(url) as connection:
        return int(connection.execute(sa.text(query)).scalar_one())
