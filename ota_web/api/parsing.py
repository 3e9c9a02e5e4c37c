"""Requests into validated shapes; anything else is an `InvalidInput` (400)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from flask import Request, Response
from pydantic import BaseModel, ValidationError
from pydantic_core import to_json
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge

from ota_core import parse_idempotency_key
from ota_web.auth import TOKEN_PARAMETER
from ota_web.errors import InvalidInput
from ota_web.schemas import Problem, ReservationList, ReservationOut, SearchPage, Status
from ota_web.stay_schemas import CalendarOut, HoldOut

ResponseShape = (
    SearchPage | ReservationOut | ReservationList | Problem | Status | HoldOut | CalendarOut
)
"""What `json_response` sends: one of the shapes of `schemas` and `stay_schemas`."""

Shape = TypeVar("Shape", bound=BaseModel)

JSON = "application/json"


def query_of(shape: type[Shape], incoming: Request) -> Shape:
    """The query parameters, each given once, none unknown, as `shape`."""
    values: dict[str, str] = {}
    for name, given in incoming.args.lists():
        if name == TOKEN_PARAMETER:
            continue
        if len(given) > 1:
            raise InvalidInput.one(name, "must be given once")
        values[name] = given[0]
    try:
        return shape.model_validate(values)
    except ValidationError as error:
        raise InvalidInput.from_validation(error, where="query") from None


def body_of(shape: type[Shape], incoming: Request) -> Shape:
    """The JSON body as `shape`: strict types, no unknown members."""
    if incoming.mimetype != JSON:
        raise InvalidInput.one("Content-Type", f"must be {JSON}")
    data = _body(incoming)
    _refuse_repeated_members(data)
    try:
        return shape.model_validate_json(data)
    except ValidationError as error:
        raise InvalidInput.from_validation(error, where="body") from None


def _refuse_repeated_members(data: bytes) -> None:
    """A 400 naming a member an object of the body gives twice.

    Parsers disagree on which of the two counts (pydantic takes the last, others
    the first), so a proxy or a log reader could see another request than the one
    served. A body that is not JSON at all is left for the validation to describe.
    """
    try:
        json.loads(data, object_pairs_hook=_unique_members)
    except _RepeatedMember as repeated:
        raise InvalidInput.one(repeated.name, "is given more than once") from None
    except (ValueError, RecursionError):
        return


class _RepeatedMember(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _unique_members(pairs: list[tuple[str, object]]) -> dict[str, object]:
    members: dict[str, object] = {}
    for name, value in pairs:
        if name in members:
            raise _RepeatedMember(name)
        members[name] = value
    return members


def _body(incoming: Request) -> bytes:
    """The body: a 400 when it ends before its declared length, a 413 when over the limit.

    Werkzeug refuses a declared length over `MAX_CONTENT_LENGTH` at once. A body
    of no declared length it reads up to the limit and no further, so one byte
    more still waiting in the input means the body was over it.
    """
    declared, limit = incoming.content_length, incoming.max_content_length
    try:
        data = _read(incoming.get_data)
    except ClientDisconnected as error:
        if declared is None:
            raise
        raise _cut_short() from error
    if declared is not None and len(data) < declared:  # a server's stream may just end
        raise _cut_short()
    filled = declared is None and limit is not None and len(data) >= limit
    if filled and _read(lambda: incoming.input_stream.read(1)):
        raise RequestEntityTooLarge
    return data


def _cut_short() -> InvalidInput:
    return InvalidInput.one("body", "is shorter than its Content-Length")


def _read(read: Callable[[], bytes]) -> bytes:
    try:
        return read()
    except HTTPException:
        raise  # 413, or 400 when the client left before sending it all
    except Exception as error:
        # The WSGI server's own parse error, raised from the stream (gunicorn: a bad chunk).
        raise InvalidInput.one("body", "is not a well-formed HTTP body") from error


def idempotency_key(incoming: Request) -> str | None:
    """The `Idempotency-Key` header, if sent."""
    raw = incoming.headers.get("Idempotency-Key")
    return None if raw is None else parse_idempotency_key(raw)


def json_response(
    shape: ResponseShape, status: int = 200, *, location: str | None = None
) -> Response:
    """`shape` as JSON; `location`, if given, goes out as the `Location` header."""
    response = Response(to_json(shape), status, content_type=JSON)
    if location is not None:
        response.headers["Location"] = location
    return response
