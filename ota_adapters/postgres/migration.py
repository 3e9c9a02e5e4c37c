"""Running the Alembic revisions, and telling whether a database is up to date."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from loguru import logger

from ota_adapters.postgres.engine import one_off_connection
from ota_adapters.postgres.errors import lost_while_pooled

LEGACY_REVISION = "0001"
"""The legacy schema: property and reservation, reservations without ids."""

HEAD = "head"
VERSION_TABLE = "alembic_version"  # Alembic's default

# Alembic keeps the running migration in module-level proxies (`context`, `op`):
# one migration at a time per process. Across processes, env.py takes an advisory lock.
_ONE_AT_A_TIME = threading.Lock()


def alembic_config() -> Config:
    config = Config()
    location = resources.files("ota_adapters.postgres").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    config.set_main_option("path_separator", "os")
    return config


def migrate(url: str, revision: str = HEAD) -> None:
    """Upgrade the database at `url` to `revision` (the latest by default)."""
    _run(url, lambda config: command.upgrade(config, revision))


def downgrade(url: str, revision: str) -> None:
    """Downgrade the database at `url` to `revision` (`"base"` removes every table)."""
    _run(url, lambda config: command.downgrade(config, revision))


def current_revisions(connection: sa.Connection) -> frozenset[str]:
    """The revisions applied to the database: one query, quiet enough for readiness probes."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    query = sa.text(f"SELECT version_num FROM {VERSION_TABLE}")  # noqa: S608 - a constant
    return frozenset(connection.execute(query).scalars())


@functools.cache
def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


@functools.cache
def known_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(revision.revision for revision in script.walk_revisions())


def schema_is_current(engine: sa.Engine) -> bool:
    """True when the database answers and this code can use its schema (readiness checks).

    That is, every revision of this code is applied — or the database is at a
    revision this code does not know, which a newer release applied before
    rolling out: migrations only add what old code can ignore, so the running
    release stays ready during the rollout.
    """
    try:
        current = _current_revisions(engine)
    except sa.exc.SQLAlchemyError as error:
        logger.warning("cannot read the schema revision: {}", error)
        return False
    if current == head_revisions():
        return True
    newer = bool(current) and not current & known_revisions()
    if newer:
        logger.info("the database is at revision {}, newer than this code", sorted(current))
    return newer


def _current_revisions(engine: sa.Engine) -> frozenset[str]:
    """The applied revisions, asked again once if a pooled connection turns out closed."""
    try:
        with engine.connect() as connection:
            return current_revisions(connection)
    except sa.exc.DBAPIError as error:
        if not lost_while_pooled(error):
            raise
    with engine.connect() as connection:
        return current_revisions(connection)


def _run(url: str, step: Callable[[Config], None]) -> None:
    with _ONE_AT_A_TIME, one_off_connection(url) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        step(config)
        connection.commit()
