"""The sample data the service ships with: 7 properties and 11 legacy stays.

The reservations come in the legacy shape (no id); `legacy_reservation_id`
gives each the id the database migration gives it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from importlib import resources

import attrs

from ota_adapters.ids import legacy_reservation_id
from ota_core import DateRange, Property, PropertyId, Reservation, UnitOfWorkFactory


@attrs.frozen
class LegacyStay:
    """A row of the legacy `reservation` table."""

    property_id: PropertyId
    start_date: dt.date
    number_of_nights: int

    def to_reservation(self, recorded_at: dt.datetime) -> Reservation:
        return Reservation(
            id=legacy_reservation_id(self.property_id, self.start_date, self.number_of_nights),
            property_id=self.property_id,
            stay=DateRange.from_nights(self.start_date, self.number_of_nights),
            created_at=recorded_at,
        )


def _rows(name: str) -> Iterator[dict[str, str]]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    yield from csv.DictReader(io.StringIO(text, newline=""))


def sample_properties() -> list[Property]:
    return [
        Property(PropertyId(row["property_id"]), row["description"])
        for row in _rows("properties.csv")
    ]


def sample_legacy_stays() -> list[LegacyStay]:
    return [
        LegacyStay(
            PropertyId(row["property_id"]),
            dt.date.fromisoformat(row["start_date"]),
            int(row["number_of_nights"]),
        )
        for row in _rows("reservations.csv")
    ]


def load_sample_data(uow: UnitOfWorkFactory, recorded_at: dt.datetime) -> None:
    """Store the sample properties and stays through any unit of work.

    Running it again adds nothing.
    """
    with uow() as work:
        for property_ in sample_properties():
            work.properties.add(property_)
        for stay in sample_legacy_stays():
            reservation = stay.to_reservation(recorded_at)
            if work.reservations.get(reservation.id) is None:
                work.reservations.add(reservation)
        work.commit()
