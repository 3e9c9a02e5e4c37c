"""Every error becomes one RFC 9457 `application/problem+json` response, here.

One table maps exception types to statuses; Flask picks the handler of the
closest class along the raised error's hierarchy, so subclasses need no entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from http import HTTPStatus

from flask import Flask, Response
from loguru import logger
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from werkzeug.exceptions import HTTPException

from ota_core import (
    Conflict,
    Gone,
    IdempotencyKeyReused,
    IdempotencyKeyTaken,
    InvalidRequest,
    NotFound,
    OtaError,
    StorageUnavailable,
)
from ota_web.auth import Unauthorized
from ota_web.problems import INTERNAL_ERROR_DETAIL, PROBLEM_JSON, code_of, problem_document
from ota_web.schemas import FieldError
from ota_web.telemetry import request_id

RETRY_AFTER_SECONDS = 5

STATUS_BY_ERROR: Mapping[type[OtaError], HTTPStatus] = {
    InvalidRequest: HTTPStatus.BAD_REQUEST,
    Unauthorized: HTTPStatus.UNAUTHORIZED,
    NotFound: HTTPStatus.NOT_FOUND,
    Conflict: HTTPStatus.CONFLICT,
    Gone: HTTPStatus.GONE,
    IdempotencyKeyReused: HTTPStatus.UNPROCESSABLE_ENTITY,
    # Another request with the same key is still being booked: retrying soon answers.
    IdempotencyKeyTaken: HTTPStatus.CONFLICT,
    StorageUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
}
# What clients are told of failures on our side; the full message goes to the logs.
PUBLIC_DETAIL = {
    HTTPStatus.SERVICE_UNAVAILABLE: "The service cannot reach its database right now; retry later.",
}

OnRefusal = Callable[[OtaError, HTTPStatus], None]


class InvalidInput(InvalidRequest):
    """The request does not match its schema: a list of what is wrong where."""

    code = "invalid_input"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str) -> InvalidInput:
        return cls([FieldError(field=field, message=message)])

    @classmethod
    def from_validation(cls, error: ValidationError, *, where: str) -> InvalidInput:
        return cls([_field_error(detail, where) for detail in error.errors(include_url=False)])


def _field_error(detail: ErrorDetails, where: str) -> FieldError:
    location = ".".join(str(part) for part in detail["loc"]) or where
    if detail["type"] == "extra_forbidden":
        return FieldError(field=location, message="is not expected here")
    return FieldError(field=location, message=detail["msg"].removeprefix("Value error, "))


def _problem(
    status: int,
    code: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> Response:
    body = problem_document(status, code, detail, request_id(), errors)
    return Response(body, status, headers, content_type=PROBLEM_JSON)


def _headers_for(error: OtaError) -> dict[str, str]:
    if isinstance(error, Unauthorized):
        return {"WWW-Authenticate": error.challenge}
    if isinstance(error, StorageUnavailable):
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return {}


def _field_errors(error: OtaError) -> list[FieldError]:
    if isinstance(error, InvalidInput):
        return error.errors
    return [FieldError(field=error.field or "request", message=error.message)]


def _domain_error(status: HTTPStatus, on_refusal: OnRefusal, error: OtaError) -> Response:
    on_refusal(error, status)
    errors = _field_errors(error) if status is HTTPStatus.BAD_REQUEST else None
    detail = PUBLIC_DETAIL.get(status, error.message)
    return _problem(status, error.code, detail, _headers_for(error), errors)


def _http_error(error: HTTPException) -> Response | HTTPException:
    if error.code is None:
        return error
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return _problem(error.code, code_of(error.name), error.description or error.name, headers)


def _unexpected_error(error: Exception) -> Response:
    logger.opt(exception=error).error("unhandled error: {}", type(error).__name__)
    return _problem(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", INTERNAL_ERROR_DETAIL)


def register_error_handlers(app: Flask, on_refusal: OnRefusal) -> None:
    """Answer every error with a problem; `on_refusal` hears of each domain error."""
    for error_type, status in STATUS_BY_ERROR.items():
        app.register_error_handler(error_type, partial(_domain_error, status, on_refusal))
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
