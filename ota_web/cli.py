"""`ota`: the service's command line — serve it, and look after its database (`ota --help`).

The database is DATABASE_URL's; without it, the embedded PostgreSQL kept
under OTA_DATA_DIR, started for the command and stopped after it (unless
another process still uses it). Configuration comes from `Settings`.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
import sqlalchemy as sa
from loguru import logger

from ota_adapters.postgres import add_sample_data, migrate, prepare_database
from ota_adapters.postgres.databases import create_database, with_database
from ota_adapters.postgres.embedded import (
    DATABASE_NAME,
    PGDATA,
    embedded_database,
    embedded_server,
    running_embedded_url,
)
from ota_adapters.postgres.errors import first_line
from ota_adapters.postgres.legacy_checks import LegacyDataRejected
from ota_core import StorageUnavailable
from ota_web.app import build_container
from ota_web.logging import configure_logging
from ota_web.serving import port_in_use, serve_until_stopped, stop_signals_raise_keyboard_interrupt
from ota_web.settings import Settings, SettingsError

Command = Callable[[Settings, argparse.Namespace], int]


@contextmanager
def _database(settings: Settings) -> Iterator[str]:
    """DATABASE_URL, or the embedded database (created if new), as it is."""
    if settings.database_url is not None:
        yield settings.database_url
        return
    with embedded_server(Path(settings.data_dir) / PGDATA) as admin_url:
        create_database(admin_url, DATABASE_NAME)
        yield with_database(admin_url, DATABASE_NAME)


@contextmanager
def _ready_database(settings: Settings, *, sample_data: bool) -> Iterator[str]:
    """The database migrated: the embedded one with the sample data, DATABASE_URL's if asked."""
    if settings.database_url is None:
        with embedded_database(Path(settings.data_dir)) as url:
            yield url
        return
    (prepare_database if sample_data else migrate)(settings.database_url)
    yield settings.database_url


def serve(settings: Settings, options: argparse.Namespace) -> int:
    if port_in_use(settings.port):
        print(f"ota: port {settings.port} is in use: stop that server or set PORT", file=sys.stderr)
        return 1
    environment = dict(os.environ)
    if settings.storage == "memory":
        return serve_until_stopped(environment)
    with _ready_database(settings, sample_data=options.sample_data) as url:
        return serve_until_stopped({**environment, "DATABASE_URL": url})


def keep_database_up(settings: Settings, options: argparse.Namespace) -> int:
    with _ready_database(settings, sample_data=options.sample_data) as url:
        print(f"PostgreSQL is ready. Connect with:\n  psql '{url}'\n  DATABASE_URL='{url}'")
        print("Press Ctrl-C to stop.", flush=True)
        stop_signals_raise_keyboard_interrupt()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            logger.info("stopping the database")
    return 0


def _on_database(action: Callable[[str], None]) -> Command:
    def run(settings: Settings, _options: argparse.Namespace) -> int:
        with _database(settings) as url:
            action(url)
        return 0

    return run


def forget_idempotency_keys(settings: Settings, _options: argparse.Namespace) -> int:
    """Delete the idempotency keys past their retention (run it hourly: deploy/k8s)."""
    with _database(settings) as url:
        container = build_container(attrs.evolve(settings, storage="postgres", database_url=url))
        try:
            forgotten = container.forget_idempotency_keys().execute()
        finally:
            container.shutdown_resources()
    hours = settings.idempotency_key_retention_hours
    logger.info("forgot {} idempotency keys recorded over {} h ago", forgotten, hours)
    return 0


def print_database_url(settings: Settings, _options: argparse.Namespace) -> int:
    url = settings.database_url or running_embedded_url(
        Path(settings.data_dir) / PGDATA, DATABASE_NAME
    )
    if url is None:
        print("the embedded database is not running: start it with `make run`", file=sys.stderr)
        return 1
    print(url)
    return 0


SAMPLE_DATA = (
    "add the sample properties and stays to DATABASE_URL's database, which gets them only"
    " when asked; the embedded database holds them from its first start"
)
COMMANDS: dict[str, tuple[Command, str]] = {
    "serve": (serve, "migrate and serve the API (gunicorn) [--sample-data]"),
    "db": (keep_database_up, "migrate, keep the database up until stopped [--sample-data]"),
    "migrate": (_on_database(migrate), "upgrade the schema to the latest revision"),
    "load-sample": (_on_database(add_sample_data), "add the sample data (idempotent)"),
    "db-url": (print_database_url, "print the URL of the running embedded database"),
    "forget-idempotency-keys": (
        forget_idempotency_keys,
        "delete the idempotency keys older than IDEMPOTENCY_KEY_RETENTION_HOURS",
    ),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ota",
        description="OTA: serve the API and look after its PostgreSQL (DATABASE_URL's, "
        "or an embedded one under OTA_DATA_DIR).",
        epilog=f"--sample-data: {SAMPLE_DATA}.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, (_, summary) in COMMANDS.items():
        command = commands.add_parser(name, help=summary, description=summary)
        if name in {"serve", "db"}:
            command.add_argument("--sample-data", action="store_true", help=SAMPLE_DATA)
    return parser


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"ota: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_format, settings.log_level)
    try:
        return COMMANDS[options.command][0](settings, options)
    except LegacyDataRejected as rejected:
        print(rejected, file=sys.stderr)
        return 2
    except (sa.exc.OperationalError, StorageUnavailable) as error:
        # Unreachable server, unknown database, refused login: say so, without a traceback.
        print(f"ota: the database cannot be used: {first_line(error)}", file=sys.stderr)
        return 1
