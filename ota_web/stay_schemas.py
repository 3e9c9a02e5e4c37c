"""Request and response shapes of holds, date changes and calendars."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from ota_core import MAX_CALENDAR_DAYS, Calendar, DateRange, PropertyId, Reservation
from ota_web.schemas import IsoDate, Nights, PropertyIdText, ReservationBody, Shape


class HoldBody(ReservationBody):
    """Body of `POST /api/v1/holds`: the stay to hold."""


class StayChangeBody(Shape):
    """Body of `PATCH /api/v1/reservations/{reservation_id}`: a new start, length, or both."""

    start_date: Annotated[IsoDate | None, Field(examples=["2027-06-02"])] = None
    nights: Annotated[Nights | None, Field(examples=[4])] = None


class CalendarQuery(Shape):
    """Query parameters of `GET /api/v1/properties/{property_id}/calendar`."""

    start: Annotated[IsoDate, Field(alias="from", description="The window's first night.")]
    end: Annotated[
        IsoDate,
        Field(
            alias="to",
            description=f"The day after the window's last night; at most {MAX_CALENDAR_DAYS} "
            "days after `from`.",
        ),
    ]


@with_config(ConfigDict(extra="forbid"))
class HoldOut(TypedDict):
    hold_id: uuid.UUID
    property_id: PropertyIdText
    start_date: IsoDate
    end_date: Annotated[IsoDate, Field(description="Checkout day: the night before is the last.")]
    nights: int
    expires_at: Annotated[
        dt.datetime, Field(description="Until then the nights are held; confirm before.")
    ]


def hold_out(hold: Reservation) -> HoldOut:
    if hold.expires_at is None:
        raise ValueError(f"reservation {hold.id} is not a hold")
    stay = hold.stay
    return HoldOut(
        hold_id=hold.id,
        property_id=hold.property_id,
        start_date=stay.start,
        end_date=stay.end,
        nights=stay.nights,
        expires_at=hold.expires_at,
    )


@with_config(ConfigDict(extra="forbid"))
class NightsOut(TypedDict):
    """The nights from `start_date` up to, not including, `end_date`."""

    start_date: IsoDate
    end_date: IsoDate
    nights: int


@with_config(ConfigDict(extra="forbid"))
class CalendarOut(TypedDict):
    property_id: PropertyIdText
    window: NightsOut
    taken: Annotated[
        list[NightsOut],
        Field(description="Nights booked or held, merged: whose, and how many stays, is not said."),
    ]
    free: Annotated[list[NightsOut], Field(description="The nights between the taken ones.")]


def _nights(stay: DateRange) -> NightsOut:
    return NightsOut(start_date=stay.start, end_date=stay.end, nights=stay.nights)


def calendar_out(property_id: PropertyId, calendar: Calendar) -> CalendarOut:
    return CalendarOut(
        property_id=property_id,
        window=_nights(calendar.window),
        taken=[_nights(r) for r in calendar.taken],
        free=[_nights(r) for r in calendar.free],
    )
