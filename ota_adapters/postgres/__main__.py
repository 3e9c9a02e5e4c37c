"""`python -m ota_adapters.postgres {start,migrate,load-sample,url}`.

Uses the server of DATABASE_URL when it is set, otherwise the embedded one,
whose files live under OTA_DATA_DIR (default `.ota` in the current folder).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from loguru import logger

from ota_adapters.postgres.databases import create_database, with_database
from ota_adapters.postgres.embedded import (
    DATABASE_NAME,
    PGDATA,
    embedded_database,
    embedded_server,
    running_embedded_url,
)
from ota_adapters.postgres.legacy_checks import LegacyDataRejected
from ota_adapters.postgres.migration import migrate
from ota_adapters.postgres.sample import load_sample_data, prepare_database


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ota_adapters.postgres",
        description="OTA's PostgreSQL: the server of DATABASE_URL, or an embedded one.",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="the database to use (default: $DATABASE_URL; unset: the embedded database)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("OTA_DATA_DIR") or ".ota"),
        help="folder of the embedded database (default: $OTA_DATA_DIR or .ota)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("start", help="migrate, load the sample data, run until interrupted")
    commands.add_parser("migrate", help="upgrade the schema to the latest revision")
    commands.add_parser("load-sample", help="add the sample data (idempotent)")
    commands.add_parser("url", help="print the URL of the database (the embedded one if running)")
    return parser


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[str]:
    """The URL of the database to work on: DATABASE_URL's, or the embedded one (created if new)."""
    if args.database_url is not None:
        yield args.database_url
        return
    with embedded_server(args.data_dir / PGDATA) as admin_url:
        create_database(admin_url, DATABASE_NAME)
        yield with_database(admin_url, DATABASE_NAME)


def _wait_for_interrupt() -> None:
    def stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    # SIGINT too: a shell starting `make run &` without job control leaves it ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        logger.info("stopping")


@contextmanager
def _ready_database(args: argparse.Namespace) -> Iterator[str]:
    if args.database_url is None:
        with embedded_database(args.data_dir) as url:
            yield url
    else:
        prepare_database(args.database_url)
        yield args.database_url


def _start(args: argparse.Namespace) -> None:
    with _ready_database(args) as url:
        print(f"PostgreSQL is ready. Connect with:\n  psql '{url}'\n  DATABASE_URL='{url}'")
        print("Press Ctrl-C to stop.", flush=True)
        _wait_for_interrupt()


def _with_database(action: Callable[[str], None]) -> Callable[[argparse.Namespace], None]:
    def run(args: argparse.Namespace) -> None:
        with _database(args) as url:
            action(url)

    return run


def _print_url(args: argparse.Namespace) -> None:
    url = args.database_url or running_embedded_url(args.data_dir / PGDATA, DATABASE_NAME)
    if url is None:
        raise SystemExit("the embedded database is not running: start it with `make run`")
    print(url)


COMMANDS: dict[str, Callable[[argparse.Namespace], None]] = {
    "start": _start,
    "migrate": _with_database(migrate),
    "load-sample": _with_database(load_sample_data),
    "url": _print_url,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except LegacyDataRejected as rejected:
        print(rejected, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
