"""Requests into validated shapes; anything else is an `InvalidInput` (400)."""

from __future__ import annotations

from typing import TypeVar

from flask import Request, Response
from pydantic import BaseModel, ValidationError
from pydantic_core import to_json

from ota_core import parse_idempotency_key
from ota_web.auth import TOKEN_PARAMETER
from ota_web.errors import InvalidInput

Shape = TypeVar("Shape", bound=BaseModel)

JSON = "application/json"
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"


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
    try:
        return shape.model_validate_json(incoming.get_data(cache=False))
    except ValidationError as error:
        raise InvalidInput.from_validation(error, where="body") from None


def idempotency_key(incoming: Request) -> str | None:
    raw = incoming.headers.get(IDEMPOTENCY_KEY_HEADER)
    return None if raw is None else parse_idempotency_key(raw)


def json_response(shape: BaseModel, status: int = 200) -> Response:
    return Response(to_json(shape), status, mimetype=JSON)
