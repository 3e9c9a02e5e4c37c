"""A property's calendar."""

from __future__ import annotations

from ota_core.calendar import Calendar
from ota_core.dates import DateRange
from ota_core.errors import PropertyNotFound
from ota_core.model import PropertyId
from ota_core.ports import Clock, ReadOnlyUnitOfWorkFactory


class GetCalendar:
    """The taken and free nights of a property over a window, as of now, in one read."""

    def __init__(self, uow: ReadOnlyUnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(self, property_id: PropertyId, window: DateRange) -> Calendar:
        now = self._clock.now()
        with self._uow() as uow:
            calendar = uow.properties.calendar(property_id, window, now=now)
        if calendar is None:
            raise PropertyNotFound.of(property_id)
        return calendar
