"""Properties and reservations."""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
import uuid
from typing import NewType, cast

import attrs

from ota_core.dates import DateRange
from ota_core.errors import InvalidRequest
from ota_core.principal import Principal

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


def _require(value: object, kind: type, what: str) -> None:
    """Refuse `value` (`TypeError`: "`what`, got `value`") unless it is a `kind`."""
    if not isinstance(value, kind):
        raise TypeError(f"{what}, got {value!r}")


@attrs.frozen
class Property:
    """A place to stay, by its id."""

    id: PropertyId
    description: str

    def __attrs_post_init__(self) -> None:
        # The id's rule is `check_property_id`, the one untrusted input meets too.
        check_property_id(self.id)
        _require(self.description, str, "description must be a string")


class ReservationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


@attrs.frozen
class Reservation:
    """A stay of one property. Only confirmed reservations occupy nights.

    `owner` is the principal who booked it; `None` for a legacy reservation,
    made before reservations had owners, which no principal reaches.
    """

    id: ReservationId
    property_id: PropertyId
    stay: DateRange
    created_at: dt.datetime
    status: ReservationStatus = ReservationStatus.CONFIRMED
    owner: Principal | None = None

    def __attrs_post_init__(self) -> None:
        _require(self.id, uuid.UUID, "id must be a UUID")
        check_property_id(self.property_id)
        _require(self.stay, DateRange, "stay must be a DateRange")
        _require(self.created_at, dt.datetime, "created_at must be a datetime")
        if self.created_at.utcoffset() is None:
            raise ValueError(f"created_at must be timezone-aware, got {self.created_at!r}")
        _require(self.status, ReservationStatus, "status must be a ReservationStatus")
        if self.owner is not None:
            _require(self.owner, Principal, "owner must be a Principal or None")

    @property
    def is_confirmed(self) -> bool:
        return self.status is ReservationStatus.CONFIRMED

    def is_owned_by(self, principal: Principal) -> bool:
        """True when `principal` booked it (a legacy reservation is nobody's)."""
        return self.owner is not None and self.owner == principal

    def blocks(self, stay: DateRange) -> bool:
        """True when this reservation keeps `stay` from being booked."""
        return self.is_confirmed and self.stay.overlaps(stay)

    def cancel(self) -> Reservation:
        """This reservation, cancelled: its nights are free again."""
        return attrs.evolve(self, status=ReservationStatus.CANCELLED)
