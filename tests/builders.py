"""Small builders that keep tests about behaviour, not construction."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import attrs

from ota_core import DateRange, Principal, Property, PropertyId, Reservation, ReservationId

_ids = itertools.count(1)

JAN_1_2030 = dt.date(2030, 1, 1)
RECORDED_AT = dt.datetime(2029, 12, 1, 9, 30, tzinfo=dt.UTC)

GUEST = Principal(uuid.UUID("6f1c2a4e-8d3b-4b7a-9e5f-2c1d0a9b8e7f"))
"""The principal tests act for, unless they say otherwise."""
OTHER_GUEST = Principal(uuid.UUID("c0ffee00-0000-4000-8000-000000000002"))


def day(offset: int) -> dt.date:
    """A date `offset` days after 2030-01-01, for readable stays in tests."""
    return JAN_1_2030 + dt.timedelta(days=offset)


def stay(start: int, nights: int) -> DateRange:
    return DateRange.from_nights(day(start), nights)


def a_property(property_id: str = "P1", description: str | None = None) -> Property:
    return Property(PropertyId(property_id), description or f"Property {property_id}")


def a_reservation(
    property_id: str = "P1",
    stay_: DateRange | None = None,
    reservation_id: uuid.UUID | None = None,
    owner: Principal | None = GUEST,
) -> Reservation:
    return Reservation(
        id=ReservationId(reservation_id or uuid.UUID(int=next(_ids))),
        property_id=PropertyId(property_id),
        stay=stay_ or stay(0, 2),
        created_at=RECORDED_AT,
        owner=owner,
    )


def a_hold(
    property_id: str = "P1",
    stay_: DateRange | None = None,
    *,
    expires_at: dt.datetime = RECORDED_AT + dt.timedelta(minutes=10),
) -> Reservation:
    """A hold made at `RECORDED_AT`, live until `expires_at`."""
    return attrs.evolve(a_reservation(property_id, stay_), expires_at=expires_at)
