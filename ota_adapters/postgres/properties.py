"""The properties over one unit of work's connection: get, add, search and calendars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ota_adapters.postgres.citus import on_citus
from ota_adapters.postgres.connection import UnitConnection
from ota_adapters.postgres.errors import read_errors
from ota_adapters.postgres.moves import CALENDAR
from ota_adapters.postgres.search import DEFAULT_SEARCH_BOUNDS, SearchBounds, free_properties
from ota_adapters.postgres.statements import PROPERTY_BY_ID, PROPERTY_BY_ID_LOCKED, PROPERTY_INSERT
from ota_core import (
    Calendar,
    DateRange,
    Property,
    PropertyId,
    PropertyReader,
    PropertyRepository,
)


class PostgresPropertyReader(PropertyReader):
    def __init__(
        self,
        connection: UnitConnection,
        *,
        locking: bool = False,
        search_bounds: SearchBounds = DEFAULT_SEARCH_BOUNDS,
    ) -> None:
        self._connection = connection
        self._by_id = PROPERTY_BY_ID_LOCKED if locking else PROPERTY_BY_ID
        self._search_bounds = search_bounds

    def get(self, property_id: PropertyId) -> Property | None:
        row = self._connection.run(self._by_id, {"property_id": property_id}).first()
        return None if row is None else Property(row.property_id, row.description)

    def list_free(
        self, stay: DateRange, *, after: PropertyId | None, limit: int, now: dt.datetime
    ) -> Sequence[Property]:
        bounds = self._search_bounds
        with read_errors():  # searches may read a replica
            probe = on_citus(self._connection)  # Citus keeps no free gaps (`citus`)
            statement, values = free_properties(stay, after, limit, now, bounds, probe=probe)
            rows = self._connection.run(statement, values).all()  # one fetch, not one per row
            # Unpacked by position: a Row looks each attribute up by its name.
            return [Property(property_id, description) for property_id, description in rows]

    def calendar(
        self, property_id: PropertyId, window: DateRange, *, now: dt.datetime
    ) -> Calendar | None:
        values = {"property_id": property_id, "from": window.start, "to": window.end, "now": now}
        rows = self._connection.run(CALENDAR, values).all()
        if not rows:
            return None
        taken = (DateRange(r.taken_start, r.taken_end) for r in rows if r.taken_start is not None)
        return Calendar(window, tuple(taken))


class PostgresPropertyRepository(PostgresPropertyReader, PropertyRepository):
    def __init__(
        self, connection: UnitConnection, *, search_bounds: SearchBounds = DEFAULT_SEARCH_BOUNDS
    ) -> None:
        super().__init__(connection, locking=True, search_bounds=search_bounds)

    def add(self, property_: Property) -> None:
        values = {"property_id": property_.id, "description": property_.description}
        self._connection.run(PROPERTY_INSERT, values)
