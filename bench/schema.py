"""The tables the benchmarks fill, and the constraints and indexes built after loading.

Tables are created bare and loaded first; keys, constraints and indexes are then
built one statement at a time, each timed, which is also how a migration at scale
would build them.
"""

from __future__ import annotations

import attrs

from ota_adapters.postgres.free_gap_steps import DERIVE_STEPS
from ota_adapters.postgres.free_gap_steps import VACUUM_ANALYZE as FREE_GAPS_VACUUM_ANALYZE
from ota_core import LONGEST_STAY_NIGHTS  # the CHECK bound; the search look-back relies on it

TABLES = ("property", "reservation", "idempotency_key", "property_gap")


@attrs.frozen
class Step:
    """One named DDL statement whose duration is worth reporting."""

    name: str
    sql: str


def drop_tables() -> Step:
    return Step(
        "drop tables",
        "DROP TABLE IF EXISTS idempotency_key, property_gap, reservation, property",
    )


def current_tables(*, property_key: bool) -> list[Step]:
    """The schema the migrations produce, without its indexes (built later).

    With `property_key`, both tables also carry a dense integer key of the
    property: the benchmarks need it for the GiST-on-integer search design and
    to pick random page cursors in pgbench.
    """
    key_column = "property_key integer NOT NULL," if property_key else ""
    return [
        Step("extension", "CREATE EXTENSION IF NOT EXISTS btree_gist"),
        Step(
            "create property",
            f"CREATE TABLE property ({key_column}"
            ' property_id text COLLATE "C" NOT NULL, description text NOT NULL)',
        ),
        Step(
            "create reservation",
            # The migrated table's column order: the legacy columns, then those 0002 and
            # 0004 add.
            f"""
            CREATE TABLE reservation (
              property_id text COLLATE "C" NOT NULL,
              {key_column}
              start_date date NOT NULL,
              number_of_nights integer NOT NULL
                CONSTRAINT reservation_nights_check
                CHECK (number_of_nights BETWEEN 1 AND {LONGEST_STAY_NIGHTS}),
              reservation_id uuid NOT NULL,
              end_date date GENERATED ALWAYS AS (start_date + number_of_nights) STORED,
              status text NOT NULL DEFAULT 'confirmed'
                CHECK (status IN ('confirmed', 'cancelled')),
              created_at timestamptz NOT NULL DEFAULT now(),
              owner uuid,
              expires_at timestamptz)
            """,
        ),
    ]


def legacy_tables() -> list[Step]:
    """The starter database's shape: reservations have no id, and no migration has run."""
    return [
        # A migration of earlier generated tables leaves its revision behind.
        Step("forget migrations", "DROP TABLE IF EXISTS alembic_version"),
        Step(
            "create property",
            "CREATE TABLE property (property_id text NOT NULL, description text)",
        ),
        Step(
            "create reservation",
            "CREATE TABLE reservation"
            " (property_id text, start_date date, number_of_nights integer)",
        ),
    ]


def key_steps(*, legacy: bool, property_key: bool) -> list[Step]:
    """Primary keys, unique keys and foreign keys: built whatever the search design."""
    steps = [Step("property primary key", "ALTER TABLE property ADD PRIMARY KEY (property_id)")]
    if property_key:
        steps.append(Step("property_key unique", "ALTER TABLE property ADD UNIQUE (property_key)"))
    if not legacy:
        steps.append(
            Step(
                "reservation primary key",
                "ALTER TABLE reservation ADD PRIMARY KEY (reservation_id)",
            )
        )
    steps.append(
        Step(
            "reservation foreign key",
            "ALTER TABLE reservation ADD FOREIGN KEY (property_id) REFERENCES property",
        )
    )
    if not legacy:
        steps += [IDEMPOTENCY_TABLE, HOLD_BTREE]
    return steps


IDEMPOTENCY_TABLE = Step(
    "create idempotency_key",
    """
    CREATE TABLE idempotency_key (
      key text,
      fingerprint text NOT NULL,
      reservation_id uuid NOT NULL REFERENCES reservation DEFERRABLE INITIALLY DEFERRED,
      created_at timestamptz NOT NULL DEFAULT now(),
      principal uuid,
      PRIMARY KEY (principal, key));
    CREATE INDEX idempotency_key_created_at_idx ON idempotency_key (created_at)
    """,
)

EXCLUSION_CONSTRAINT = Step(
    "exclusion constraint: GiST (property_id text, daterange)",
    """
    ALTER TABLE reservation ADD CONSTRAINT reservation_no_overlap
      EXCLUDE USING gist (property_id WITH =, daterange(start_date, end_date) WITH &&)
      WHERE (status = 'confirmed')
    """,
)
EXCLUSION_INDEX_NAME = "reservation_no_overlap"

SEARCH_BTREE = Step(
    "B-tree (property_id, start_date) INCLUDE (end_date)",
    """
    CREATE INDEX reservation_search_idx ON reservation (property_id, start_date)
      INCLUDE (end_date, expires_at) WHERE status = 'confirmed'
    """,
)
SEARCH_BTREE_NAME = "reservation_search_idx"

OWNER_BTREE = Step(
    "B-tree (owner, start_date, reservation_id): a principal's list",
    """
    CREATE INDEX reservation_owner_idx ON reservation (owner, start_date, reservation_id)
      WHERE owner IS NOT NULL
    """,
)

# The generated data holds no holds: the index is empty, and built with the keys.
HOLD_BTREE = Step(
    "holds' B-tree (property_id, start_date)",
    """
    CREATE INDEX reservation_hold_idx ON reservation (property_id, start_date)
      INCLUDE (end_date, expires_at) WHERE expires_at IS NOT NULL
    """,
)

KEY_GIST = Step(
    "GiST (property_key integer, daterange)",
    """
    CREATE INDEX reservation_key_stay_idx ON reservation
      USING gist (property_key, daterange(start_date, end_date)) WHERE status = 'confirmed'
    """,
)
KEY_GIST_NAME = "reservation_key_stay_idx"

VACUUM_ANALYZE = Step("vacuum analyze", "VACUUM (ANALYZE) property, reservation")


def free_gap_steps() -> list[Step]:
    """What migration 0005 adds, step by step (the free gaps, their upkeep, the search
    function), and the vacuum it ends with."""
    return [
        *(Step(name, sql) for name, sql in DERIVE_STEPS),
        Step("vacuum analyze", FREE_GAPS_VACUUM_ANALYZE),
    ]


ANALYZE = Step("analyze", "ANALYZE property, reservation")
