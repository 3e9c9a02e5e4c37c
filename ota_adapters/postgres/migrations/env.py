"""Alembic's entry point: runs the revisions on the connection `migration` hands over."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from ota_adapters.postgres.schema import metadata

# Any fixed number: concurrent `migrate` calls queue on it instead of racing.
MIGRATION_LOCK_KEY = 7_060_504_030


def run_migrations() -> None:
    if context.is_offline_mode():
        raise RuntimeError("the migrations inspect the data they change: run them online")
    connection = context.config.attributes["connection"]
    if not isinstance(connection, sa.Connection):
        raise TypeError("pass an open Connection in Config.attributes['connection']")
    # One transaction for every revision: a failing one leaves the database as it was
    # (save for revisions committed before a statement that must run outside one).
    context.configure(
        connection=connection, target_metadata=metadata, transaction_per_migration=False
    )
    # A session's lock, not a transaction's: a revision may commit and run a statement
    # outside any transaction (VACUUM), and the lock must outlast that. On failure the
    # caller closes the connection, which releases it.
    lock = {"key": MIGRATION_LOCK_KEY}
    with context.begin_transaction():
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), lock)
        context.run_migrations()
    connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), lock)


run_migrations()
