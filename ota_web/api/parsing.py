"""Requests into validated shapes; anything else is an `InvalidInput` (400)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from flask import Request, Response
from pydantic import BaseModel, ValidationError
from pydantic_core import to_json
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wsgi import get_content_length

from ota_core import parse_idempotency_key
from ota_web.auth import TOKEN_PARAMETER
from ota_web.errors import InvalidInput
from ota_web.schemas import ResponseShape

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

Shape = TypeVar("Shape", bound=BaseModel)

JSON = "application/json"
_IDEMPOTENCY_KEY_ENVIRON = "HTTP_IDEMPOTENCY_KEY"  # the `Idempotency-Key` header
# RFC 3986's unreserved characters and `/`: a path that is a URI as it is.
_URI_PATH = re.compile(r"/[A-Za-z0-9._~/-]*")


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
        return shape.model_validate_json(_body(incoming))
    except ValidationError as error:
        raise InvalidInput.from_validation(error, where="body") from None


def _body(incoming: Request) -> bytes:
    """The body, refused (413) when it is over the size limit, also when streamed (chunked).

    A body of declared length is read as it is, up to that length: werkzeug's
    stream would wrap the server's in a limit and read it in 64 KiB buffers
    until it ends, 5% of a booking's instructions for a body of a hundred bytes.
    Its length is read from the environ as `Request.content_length` reads it,
    without building the request's headers for two of them.
    """
    declared = get_content_length(incoming.environ)
    if declared is None:
        return _streamed_body(incoming)
    limit = incoming.max_content_length
    if limit is not None and declared > limit:
        raise RequestEntityTooLarge
    data = _read(lambda: incoming.environ["wsgi.input"].read(declared))
    if len(data) < declared:
        raise InvalidInput.one("body", "is shorter than its Content-Length")
    return data


def _streamed_body(incoming: Request) -> bytes:
    """A body without a declared length, read up to the limit and refused beyond it.

    Werkzeug reads a stream only up to the limit and returns that much, cut
    short: a body that fills the limit is refused if anything follows it.
    """
    data = _read(lambda: incoming.get_data(cache=False))
    limit = incoming.max_content_length
    filled = limit is not None and len(data) >= limit
    if filled and _read(lambda: incoming.environ["wsgi.input"].read(1)):
        raise RequestEntityTooLarge
    return data


def _read(read: Callable[[], bytes]) -> bytes:
    try:
        return read()
    except HTTPException:
        raise  # 413, or 400 when the client left before sending it all
    except Exception as error:
        # The WSGI server's own parse error, raised from the stream (gunicorn: a bad chunk).
        raise InvalidInput.one("body", "is not a well-formed HTTP body") from error


def idempotency_key(incoming: Request) -> str | None:
    """The `Idempotency-Key` header, if sent: from the environ, as `headers` would read it."""
    raw: str | None = incoming.environ.get(_IDEMPOTENCY_KEY_ENVIRON)
    return None if raw is None else parse_idempotency_key(raw)


class JsonResponse(Response):
    """A JSON response whose `Location`, a path the API built, goes out as it was given.

    Werkzeug converts a `Location` header from an IRI to a URI as it sends the
    response (`iri_to_uri`: a `urlsplit` and three `quote`s). A path made of the
    API's prefix and a UUID has nothing to convert, and the conversion cost a
    booking 6% of its instructions (bench/RESULTS.md).
    """

    def __init__(self, shape: ResponseShape, status: int, location: str | None) -> None:
        super().__init__(to_json(shape), status, content_type=JSON)
        if location is not None and not _URI_PATH.fullmatch(location):
            raise ValueError(f"not a URI path with nothing to escape: {location!r}")
        self._location = location

    def get_wsgi_response(
        self, environ: WSGIEnvironment
    ) -> tuple[Iterable[bytes], str, list[tuple[str, str]]]:
        app_iter, status, headers = super().get_wsgi_response(environ)
        if self._location is not None:  # after werkzeug's conversions, on the list sent
            headers.append(("Location", self._location))
        return app_iter, status, headers


def json_response(
    shape: ResponseShape, status: int = 200, *, location: str | None = None
) -> Response:
    """`shape` as JSON; `location`, if given, is a path of unreserved characters and `/`."""
    return JsonResponse(shape, status, location)
