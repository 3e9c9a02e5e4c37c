"""Alembic's entry point: runs the revisions on the connection `migration` hands over."""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import context

from ota_adapters.postgres.schema import metadata

# Any fixed number: concurrent `migrate` calls queue on it instead of racing.
MIGRATION_LOCK_KEY = 7_060_504_030
LOCK_RETRY_SECONDS = 0.1


def run_migrations() -> None:
    if context.is_offline_mode():
        raise RuntimeError("the migrations inspect the data they change: run them online")
    connection = context.config.attributes["connection"]
    if not isinstance(connection, sa.Connection):
        raise TypeError("pass an open Connection in Config.attributes['connection']")
    # One transaction for every revision: a failing one leaves the database as it was,
    # unless a revision builds an index concurrently, which commits what came before.
    context.configure(
        connection=connection, target_metadata=metadata, transaction_per_migration=False
    )
    _lock(connection)
    with context.begin_transaction():
        context.run_migrations()
    # After a failure, closing the connection (it is the migration's own) releases the lock.
    connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})


def _lock(connection: sa.Connection) -> None:
    """Take the session's lock, not the transaction's: it outlasts the commit of an index
    built concurrently.

    Tried again and again, never waited for: a statement waiting for the lock holds a
    snapshot, and building an index concurrently waits for every older snapshot to go.
    """
    while not connection.execute(
        sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
    ).scalar():
        connection.rollback()
        time.sleep(LOCK_RETRY_SECONDS)
    connection.commit()


run_migrations()
