"""What legacy rows must satisfy before the migration gives them ids.

Each check is a query returning the offending rows. The migration runs them
all inside its transaction and, if any finds a row, stops with a report that
names the rows; the transaction rolls back, so nothing changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import attrs
import sqlalchemy as sa

from ota_core import LONGEST_STAY_NIGHTS, InvalidRequest
from ota_core.model import PROPERTY_ID_MAX_LENGTH, check_property_id

SHOWN_PER_CHECK = 20

_VALID_NIGHTS = f"number_of_nights BETWEEN 1 AND {LONGEST_STAY_NIGHTS}"
_PLAIN_PROPERTY_ID = f"property_id ~ '^[A-Za-z0-9]{{1,{PROPERTY_ID_MAX_LENGTH}}}$'"


Row = sa.Row[tuple[object, ...]]


@attrs.frozen
class LegacyCheck:
    problem: str
    columns: tuple[str, ...]
    query: str  # the offending rows, or the candidates `acceptable` looks at
    # For a rule SQL cannot state: the rows of `query` it accepts are not offending.
    acceptable: Callable[[Row], bool] | None = None


def _valid_property_id(row: Row) -> bool:
    try:
        check_property_id(row[0])
    except InvalidRequest:
        return False
    return True


CHECKS = (
    LegacyCheck(
        "reservations with a missing property id, start date or number of nights",
        ("property_id", "start_date", "number_of_nights"),
        "SELECT property_id, start_date, number_of_nights FROM reservation"
        " WHERE property_id IS NULL OR start_date IS NULL OR number_of_nights IS NULL"
        " ORDER BY property_id, start_date, number_of_nights",
    ),
    LegacyCheck(
        f"reservations whose number of nights is outside 1..{LONGEST_STAY_NIGHTS}",
        ("property_id", "start_date", "number_of_nights"),
        f"SELECT property_id, start_date, number_of_nights FROM reservation"  # noqa: S608 - constants only
        f" WHERE NOT ({_VALID_NIGHTS})"
        f" ORDER BY property_id, start_date, number_of_nights",
    ),
    LegacyCheck(
        "reservations outside the calendar the service handles (0001-01-01 to 9999-12-31)",
        ("property_id", "start_date", "number_of_nights"),
        f"SELECT property_id, start_date, number_of_nights FROM reservation"  # noqa: S608 - constants only
        f" WHERE start_date < DATE '0001-01-01'"
        f" OR start_date > DATE '9999-12-31'"
        f" - least(greatest(number_of_nights, 1), {LONGEST_STAY_NIGHTS})"
        f" ORDER BY property_id, start_date, number_of_nights",
    ),
    LegacyCheck(
        "reservations of a property that does not exist",
        ("property_id", "start_date", "number_of_nights"),
        "SELECT r.property_id, r.start_date, r.number_of_nights FROM reservation r"
        " WHERE r.property_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM property p WHERE p.property_id = r.property_id)"
        " ORDER BY r.property_id, r.start_date, r.number_of_nights",
    ),
    LegacyCheck(
        # One sort, not a self-join: a stay overlaps an earlier one of its
        # property exactly when it starts before the latest end among them.
        "reservations overlapping an earlier stay of the same property",
        ("property_id", "start_date", "number_of_nights", "overlaps_a_stay_ending"),
        f"SELECT property_id, start_date, number_of_nights, earlier_end FROM ("  # noqa: S608 - constants only
        f" SELECT property_id, start_date, number_of_nights, max(start_date + number_of_nights)"
        f"  OVER (PARTITION BY property_id ORDER BY start_date, number_of_nights"
        f"        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end"
        f" FROM reservation"
        f" WHERE property_id IS NOT NULL AND start_date IS NOT NULL AND {_VALID_NIGHTS}"
        f") AS ordered WHERE start_date < earlier_end ORDER BY property_id, start_date",
    ),
    LegacyCheck(
        # The domain's rule (`check_property_id`): the service could neither list nor
        # book a property it refuses. Ids of ASCII letters and digits pass here already.
        f"properties whose id is not 1 to {PROPERTY_ID_MAX_LENGTH} printable characters"
        " without spaces",
        ("property_id",),
        f"SELECT property_id FROM property"  # noqa: S608 - constants only
        f" WHERE property_id IS NULL OR NOT {_PLAIN_PROPERTY_ID} ORDER BY property_id",
        acceptable=_valid_property_id,
    ),
    LegacyCheck(
        "properties without a description",
        ("property_id",),
        "SELECT property_id FROM property WHERE description IS NULL ORDER BY property_id",
    ),
)


def _offending(connection: sa.Connection, check: LegacyCheck, limit: int) -> list[Row]:
    """Up to `limit` rows that break the check's rule."""
    if check.acceptable is None:
        return list(connection.execute(sa.text(f"{check.query} LIMIT {limit}")).all())
    acceptable = check.acceptable
    # Streamed: the candidates are few unless many ids are unusual, and then the first do.
    candidates = connection.execute(sa.text(check.query).execution_options(yield_per=1000))
    with candidates:
        return list(itertools.islice((r for r in candidates if not acceptable(r)), limit))


class LegacyDataRejected(Exception):
    """Legacy rows break a rule of the current schema; the migration changed nothing."""


def _section(check: LegacyCheck, rows: Sequence[Row]) -> str:
    shown = rows[:SHOWN_PER_CHECK]
    lines = [f"- {check.problem} ({', '.join(check.columns)}):"]
    lines += ["    " + " | ".join("NULL" if v is None else str(v) for v in row) for row in shown]
    if len(rows) > len(shown):
        lines.append(f"    ... and more; the first {SHOWN_PER_CHECK} are shown")
    return "\n".join(lines)


def check_legacy_rows(connection: sa.Connection) -> None:
    """Raise `LegacyDataRejected` naming the rows the current schema cannot hold."""
    sections = []
    for check in CHECKS:
        rows = _offending(connection, check, SHOWN_PER_CHECK + 1)
        if rows:
            sections.append(_section(check, rows))
    if sections:
        raise LegacyDataRejected(
            "the legacy reservations cannot be migrated; nothing was changed. "
            "Fix these rows and migrate again:\n" + "\n".join(sections)
        )
