"""Properties and reservations."""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
import uuid
from typing import Any, NewType, cast

import attrs

from ota_core.dates import DateRange
from ota_core.errors import InvalidRequest

PropertyId = NewType("PropertyId", str)
ReservationId = NewType("ReservationId", uuid.UUID)

PROPERTY_ID_MAX_LENGTH = 64


def parse_property_id(raw: object) -> PropertyId:
    """A property id from untrusted input: 1-64 printable characters, no spaces."""
    check_property_id(raw)
    return PropertyId(cast(str, raw))


def check_property_id(raw: object) -> None:
    """Refuse `raw` (`InvalidRequest`, saying why) unless it is a valid property id."""
    # ASCII letters and digits (every generated id) pass at once: "".isalnum() is false.
    if (
        isinstance(raw, str)
        and raw.isascii()
        and raw.isalnum()
        and len(raw) <= PROPERTY_ID_MAX_LENGTH
    ):
        return
    if not isinstance(raw, str):
        raise InvalidRequest("property_id must be a string", field="property_id")
    if not 1 <= len(raw) <= PROPERTY_ID_MAX_LENGTH:
        raise InvalidRequest(
            f"property_id must be 1 to {PROPERTY_ID_MAX_LENGTH} characters long",
            field="property_id",
        )
    if any(char.isspace() or unicodedata.category(char)[0] == "C" for char in raw):
        raise InvalidRequest(
            "property_id must not contain spaces or control characters", field="property_id"
        )


def _valid_property_id(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    check_property_id(value)


def _aware(_instance: object, attribute: attrs.Attribute[Any], value: dt.datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{attribute.name} must be timezone-aware, got {value!r}")


def _uuid(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, uuid.UUID):
        raise TypeError(f"{attribute.name} must be a UUID, got {value!r}")


@attrs.frozen
class Property:
    """A place to stay, by its id."""

    id: PropertyId
    description: str

    def __attrs_post_init__(self) -> None:
        # One check of both fields instead of a validator each: a page of search
        # makes a hundred properties or more, and the calls add up (bench/RESULTS.md).
        check_property_id(self.id)
        if not isinstance(self.description, str):
            raise TypeError(f"description must be a string, got {self.description!r}")


class ReservationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


@attrs.frozen
class Reservation:
    """A stay of one property. Only confirmed reservations occupy nights."""

    id: ReservationId = attrs.field(validator=_uuid)
    property_id: PropertyId = attrs.field(validator=_valid_property_id)
    stay: DateRange = attrs.field(validator=attrs.validators.instance_of(DateRange))
    created_at: dt.datetime = attrs.field(
        validator=[attrs.validators.instance_of(dt.datetime), _aware]
    )
    status: ReservationStatus = attrs.field(
        default=ReservationStatus.CONFIRMED,
        validator=attrs.validators.instance_of(ReservationStatus),
    )

    @property
    def is_confirmed(self) -> bool:
        return self.status is ReservationStatus.CONFIRMED

    def blocks(self, stay: DateRange) -> bool:
        """True when this reservation keeps `stay` from being booked."""
        return self.is_confirmed and self.stay.overlaps(stay)

    def cancel(self) -> Reservation:
        """This reservation, cancelled: its nights are free again."""
        return attrs.evolve(self, status=ReservationStatus.CANCELLED)
