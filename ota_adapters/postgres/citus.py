"""The tables distributed over a Citus cluster, when the database is a Citus coordinator.

A coordinator is a database with the `citus` extension and at least one worker
in its metadata. There, `property` and `reservation` become distributed tables,
colocated by `property_id`: a property's stays live in the same shard as its row,
so a booking (lock the property, insert the stay, let the exclusion constraint
decide) and a search's per-property probe run within one shard. Idempotency keys
are distributed by their key: a key's property is not known before the key is
read, so they cannot be colocated with what they guard (ADR 0012).

Citus needs every unique or exclusion constraint of a distributed table to
include its distribution column, and a foreign key between distributed tables to
join them on it: the reservation's primary key becomes (reservation_id,
property_id) (a read by id still finds it by its leading column), and the key's
foreign key to its reservation goes (the booking inserts both, or neither).
Elsewhere nothing changes. Every step checks first, so running it again changes
nothing.
"""

from __future__ import annotations

import os

import sqlalchemy as sa

from ota_adapters.postgres.connection import UnitConnection
from ota_adapters.postgres.engine import one_off_connection
from ota_adapters.postgres.free_gaps import DROP_UPKEEP
from ota_adapters.postgres.search_function import DROP_SEARCH_FUNCTION

SHARD_COUNT = 8
"""Shards per distributed table.

A page of search runs one task per shard and merges them on the coordinator: on
the 2-worker test cluster a page took 65-98 ms with 32 shards, 7-12 ms with 4-8.
More shards pay off only with more workers (then: rebalance, `citus_split_shard_by_split_points`).
"""

# (table, distribution column, colocated with). Tables added later join here.
DISTRIBUTED = (
    ("property", "property_id", None),
    ("reservation", "property_id", "property"),
    ("idempotency_key", "key", None),
)


_CITUS_INSTALLED = sa.text("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')")


def on_citus(connection: UnitConnection) -> bool:
    """True when the database has Citus, whose distributed tables take only routed row locks.

    Asked once per server connection (the pool keeps the answer with it).
    """
    if "citus" not in connection.info:
        connection.info["citus"] = bool(connection.run(_CITUS_INSTALLED, {}).scalar())
    return bool(connection.info["citus"])


def is_citus_coordinator(connection: sa.Connection) -> bool:
    """True when the database is a Citus coordinator with at least one worker."""
    if not connection.scalar(_CITUS_INSTALLED):
        return False
    workers = connection.scalar(
        sa.text("SELECT count(*) FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary'")
    )
    return bool(workers)


def _distributed(connection: sa.Connection, table: str) -> bool:
    found = connection.scalar(
        sa.text(
            "SELECT EXISTS (SELECT FROM pg_dist_partition"
            " WHERE logicalrelid = CAST(:t AS regclass))"
        ),
        {"t": table},
    )
    return bool(found)


def _primary_key_columns(connection: sa.Connection, table: str) -> list[str]:
    rows = connection.execute(
        sa.text(
            "SELECT a.attname FROM pg_constraint c"
            " CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum"
            " WHERE c.conrelid = CAST(:t AS regclass) AND c.contype = 'p' ORDER BY k.n"
        ),
        {"t": table},
    )
    return [row[0] for row in rows]


def _keys_that_include_property_id(connection: sa.Connection) -> None:
    connection.execute(
        sa.text(
            "ALTER TABLE idempotency_key"
            " DROP CONSTRAINT IF EXISTS idempotency_key_reservation_id_fkey"
        )
    )
    if _primary_key_columns(connection, "reservation") == ["reservation_id"]:
        connection.execute(
            sa.text(
                "ALTER TABLE reservation DROP CONSTRAINT reservation_pkey,"
                " ADD CONSTRAINT reservation_pkey PRIMARY KEY (reservation_id, property_id)"
            )
        )


def _without_free_gaps(connection: sa.Connection) -> None:
    """Drop the free gaps (ADR 0022): on Citus, searches probe each property in its shard.

    Their triggers write a second distributed table from inside a shard, which Citus
    allows only as an unsafe setting, and the search function would send each of its
    statements through the coordinator; keeping them on a cluster is still to be built
    and measured. Without them, `property.chunk` has nothing to keep it either.
    """
    if not connection.scalar(sa.text("SELECT to_regclass('property_gap') IS NOT NULL")):
        return
    connection.exec_driver_sql(DROP_SEARCH_FUNCTION)
    connection.exec_driver_sql(DROP_UPKEEP)
    connection.exec_driver_sql("DROP TABLE property_gap")
    connection.exec_driver_sql("ALTER TABLE property DROP COLUMN chunk")


def distribute(connection: sa.Connection) -> bool:
    """On a Citus coordinator, distribute the tables not yet distributed; True if it is one."""
    if not is_citus_coordinator(connection):
        return False
    # DDL that reaches many shards in one transaction: one connection per worker,
    # so later statements of the transaction see what earlier ones did.
    connection.execute(sa.text("SET LOCAL citus.multi_shard_modify_mode = 'sequential'"))
    _without_free_gaps(connection)
    _keys_that_include_property_id(connection)
    for table, column, colocate_with in DISTRIBUTED:
        if _distributed(connection, table):
            continue
        connection.execute(
            sa.text(
                "SELECT create_distributed_table(:t, :c, colocate_with => :w, shard_count => :n)"
                if colocate_with is None
                else "SELECT create_distributed_table(:t, :c, colocate_with => :w)"
            ),
            {"t": table, "c": column, "w": colocate_with or "none", "n": SHARD_COUNT},
        )
    return True


def main() -> None:
    """`DATABASE_URL=... python -m ota_adapters.postgres.citus`: distribute a migrated database.

    For a database migrated on one PostgreSQL (revision 0007 changed nothing then)
    that has since become a Citus coordinator.
    """
    with one_off_connection(os.environ["DATABASE_URL"]) as connection:
        if not distribute(connection):
            raise SystemExit("not a Citus coordinator with workers: nothing to distribute")
        connection.commit()


if __name__ == "__main__":
    main()
