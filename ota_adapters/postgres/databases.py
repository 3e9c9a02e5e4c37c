"""Creating and dropping whole databases on a server, through its maintenance database."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import psycopg2.errors
import sqlalchemy as sa

from ota_adapters.postgres.engine import one_off_connection


def socket_url(socket_dir: str, database: str, *, user: str = "postgres") -> str:
    """A libpq URL for a server listening on a unix socket in `socket_dir`."""
    return f"postgresql://{quote(user)}@/{quote(database)}?host={quote(socket_dir, safe='/')}"


def with_database(url: str, database: str) -> str:
    """`url` naming `database` instead of its own."""
    return urlsplit(url)._replace(path="/" + quote(database)).geturl()


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _run_outside_transaction(admin_url: str, statement: str) -> None:
    with one_off_connection(admin_url, autocommit=True) as connection:
        connection.execute(sa.text(statement))


def create_database(admin_url: str, name: str) -> bool:
    """Create database `name` on the server of `admin_url`; False if it already existed."""
    try:
        _run_outside_transaction(admin_url, f"CREATE DATABASE {_quoted(name)}")
    except sa.exc.ProgrammingError as error:
        if isinstance(error.orig, psycopg2.errors.DuplicateDatabase):
            return False
        raise
    return True


def drop_database(admin_url: str, name: str) -> None:
    """Drop database `name`, ending the sessions still connected to it."""
    _run_outside_transaction(admin_url, f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
