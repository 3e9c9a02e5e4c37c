"""Request and response shapes, defined once.

Requests are pydantic models, which validate them; responses are TypedDicts,
which pydantic-core serializes as they are. Through their JSON schemas, both
are described in `/openapi.json`.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, with_config
from typing_extensions import TypedDict

from ota_core import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PropertyId, PropertyPage, Reservation
from ota_core.model import PROPERTY_ID_MAX_LENGTH

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


def _iso_date(value: Any) -> Any:
    """`YYYY-MM-DD` only: no timestamps, week dates or times, which lax parsing would take."""
    if isinstance(value, str):
        if not _ISO_DATE.fullmatch(value):
            raise ValueError("must be a date written YYYY-MM-DD")
        return dt.date.fromisoformat(value)
    return value


def query_integer(value: Any) -> Any:
    """Digits only (query strings are text): no `3.0`, `+3`, `3_0` or spaces."""
    if isinstance(value, str):
        if not _WHOLE_NUMBER.fullmatch(value):
            raise ValueError("must be a whole number written in digits")
        return int(value)
    return value


IsoDate = Annotated[
    dt.date, BeforeValidator(_iso_date), Field(description="A calendar date, YYYY-MM-DD.")
]
PropertyIdText = Annotated[
    PropertyId,
    Field(
        min_length=1,
        max_length=PROPERTY_ID_MAX_LENGTH,
        description="A property id: printable characters, no spaces.",
        examples=["g3hbWxJ5TdXidt"],
    ),
]
Nights = Annotated[
    int,
    Field(description="Number of nights, as the availability policy allows."),
]


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class SearchQuery(Shape):
    """Query parameters of `GET /api/v1/properties/available`."""

    start_date: IsoDate
    nights: Annotated[Nights, BeforeValidator(query_integer)]
    limit: Annotated[
        int,
        Field(ge=1, le=MAX_PAGE_SIZE, description="Page size."),
        BeforeValidator(query_integer),
    ] = DEFAULT_PAGE_SIZE
    after: Annotated[
        PropertyIdText | None,
        Field(description="Cursor: the `next` value of the previous page."),
    ] = None


class ReservationBody(Shape):
    """Body of `POST /api/v1/reservations`."""

    property_id: PropertyIdText
    start_date: Annotated[IsoDate, Field(examples=["2027-06-01"])]
    nights: Annotated[Nights, Field(examples=[3])]


# Responses are TypedDicts, not models: the service builds them from values it
# already holds, and pydantic-core writes a plain dict as JSON as it is. Their
# JSON schemas describe them in `/openapi.json` all the same, and tests check
# answers against those.


@with_config(ConfigDict(extra="forbid"))
class PropertyOut(TypedDict):
    property_id: PropertyIdText
    description: str


@with_config(ConfigDict(extra="forbid"))
class SearchPage(TypedDict):
    properties: list[PropertyOut]
    next: Annotated[
        PropertyIdText | None,
        Field(description="Cursor of the next page (pass it as `after`), or null on the last."),
    ]


def search_page(page: PropertyPage) -> SearchPage:
    return SearchPage(
        properties=[
            PropertyOut(property_id=p.id, description=p.description) for p in page.properties
        ],
        next=page.next_after,
    )


@with_config(ConfigDict(extra="forbid"))
class ReservationOut(TypedDict):
    reservation_id: uuid.UUID
    property_id: PropertyIdText
    start_date: IsoDate
    end_date: Annotated[IsoDate, Field(description="Checkout day: the night before is the last.")]
    nights: int
    status: Literal["confirmed", "cancelled"]


def reservation_out(reservation: Reservation) -> ReservationOut:
    stay = reservation.stay
    return ReservationOut(
        reservation_id=reservation.id,
        property_id=reservation.property_id,
        start_date=stay.start,
        end_date=stay.end,
        nights=stay.nights,
        status=reservation.status.value,
    )


@with_config(ConfigDict(extra="forbid"))
class ReservationList(TypedDict):
    reservations: list[ReservationOut]
    next: Annotated[
        str | None,
        Field(description="Cursor of the next page (pass it as `after`), or null on the last."),
    ]


@with_config(ConfigDict(extra="forbid"))
class FieldError(TypedDict):
    field: Annotated[str, Field(description="The parameter, header or body member at fault.")]
    message: str


@with_config(ConfigDict(extra="forbid"))
class Problem(TypedDict):
    """An error, as RFC 9457 `application/problem+json`."""

    type: Annotated[
        str, Field(description="Always `about:blank`: `code` tells the problems apart.")
    ]
    title: Annotated[str, Field(description="The HTTP status phrase.")]
    status: int
    detail: str
    code: Annotated[str, Field(description="A machine-readable code, e.g. `dates_unavailable`.")]
    request_id: Annotated[str, Field(description="Also sent as the `X-Request-ID` header.")]


@with_config(ConfigDict(extra="forbid"))
class InvalidRequestProblem(Problem):
    """A 400: what was wrong, field by field."""

    errors: Annotated[list[FieldError], Field(min_length=1)]


@with_config(ConfigDict(extra="forbid"))
class Status(TypedDict):
    status: Literal["ok", "ready"]
