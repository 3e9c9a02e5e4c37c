"""`GET /api/v1/reservations`: its query, its opaque cursor and its page, defined once.

The cursor is the last reservation's start date and id, written as base64url:
clients pass `next` back as `after` and need not read it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema

from ota_core import (
    DEFAULT_RESERVATIONS_PAGE_SIZE,
    MAX_RESERVATIONS_PAGE_SIZE,
    ReservationCursor,
    ReservationId,
    ReservationPage,
)
from ota_web.schemas import IsoDate, ReservationList, Shape, query_integer, reservation_out

_CURSOR_SEPARATOR = "_"
_CURSOR_MAX_LENGTH = 96


def cursor_text(cursor: ReservationCursor) -> str:
    raw = f"{cursor.start.isoformat()}{_CURSOR_SEPARATOR}{cursor.reservation_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def parse_cursor(value: Any) -> Any:
    """A cursor `cursor_text` wrote; anything else is refused (a 400 naming `after`)."""
    if not isinstance(value, str):
        return value
    problem = ValueError("must be the `next` of an earlier page")
    if len(value) > _CURSOR_MAX_LENGTH:
        raise problem
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
        start, _, reservation_id = raw.partition(_CURSOR_SEPARATOR)
        cursor = ReservationCursor(
            dt.date.fromisoformat(start), ReservationId(uuid.UUID(reservation_id))
        )
    except (ValueError, binascii.Error):
        raise problem from None
    if cursor_text(cursor) != value:  # one spelling per cursor: no padding, no other forms
        raise problem
    return cursor


class OwnReservationsParams(Shape):
    """Query parameters of `GET /api/v1/reservations`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)  # the cursor, once parsed

    limit: Annotated[
        int,
        Field(ge=1, le=MAX_RESERVATIONS_PAGE_SIZE, description="Page size."),
        BeforeValidator(query_integer),
    ] = DEFAULT_RESERVATIONS_PAGE_SIZE
    after: Annotated[
        ReservationCursor | None,
        BeforeValidator(parse_cursor),
        WithJsonSchema({"type": "string", "maxLength": _CURSOR_MAX_LENGTH}),
        Field(description="Cursor: the `next` value of the previous page."),
    ] = None
    status: Annotated[
        Literal["confirmed", "cancelled"] | None,
        Field(description="Only reservations with this status."),
    ] = None
    from_: Annotated[
        IsoDate | None,
        Field(alias="from", description="Only stays with a night on or after this date."),
    ] = None
    to: Annotated[
        IsoDate | None,
        Field(description="Only stays with a night before this date."),
    ] = None


def reservation_list(page: ReservationPage) -> ReservationList:
    following = page.next_after
    return ReservationList(
        reservations=[reservation_out(r) for r in page.reservations],
        next=None if following is None else cursor_text(following),
    )
