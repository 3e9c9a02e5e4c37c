"""gunicorn's threaded worker, answering what gunicorn itself refuses as problem documents.

gunicorn refuses some requests before the app sees them: a request line over
`limit_request_line` (414), too many or too large header fields (431), a
request line or header that is not HTTP (400). Its own answer is an HTML page
quoting the request, and its log line quotes the request too — query string
and access token included. This worker answers with the same RFC 9457 shape
as the app, and logs only the kind of refusal.

The master imports this module to find the worker class, so it imports
neither Flask nor the app.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

# gunicorn ships no type hints, and the stubs on PyPI lag behind the release in use.
from gunicorn import util  # type: ignore[import-untyped]
from gunicorn.http import errors  # type: ignore[import-untyped]
from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]

from ota_web.logging import new_request_id
from ota_web.problems import INTERNAL_ERROR_DETAIL, PROBLEM_JSON, code_of, problem_document

# What gunicorn raises on requests it cannot take; anything else is a failure of ours (500).
_APP_FAULTS = (errors.InvalidResponseHeader, errors.InvalidResponseHeaderName,
               errors.ConfigurationProblem)  # fmt: skip
_STATUS = {
    errors.LimitRequestLine: HTTPStatus.REQUEST_URI_TOO_LONG,
    errors.LimitRequestHeaders: HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
    errors.ExpectationFailed: HTTPStatus.EXPECTATION_FAILED,
    errors.ForbiddenProxyRequest: HTTPStatus.FORBIDDEN,
}
_DETAIL = {
    HTTPStatus.REQUEST_URI_TOO_LONG: "The request line is longer than {limit_request_line} bytes.",
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: (
        "The request has more than {limit_request_fields} header fields, "
        "or one longer than {limit_request_field_size} bytes."
    ),
    HTTPStatus.INTERNAL_SERVER_ERROR: INTERNAL_ERROR_DETAIL,
}
_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


def refusal_status(error: BaseException) -> HTTPStatus | None:
    """The status for a request gunicorn could not parse; None when the fault is not the client's.

    An unsupported transfer coding is a 400 here, not gunicorn's 501: bad
    input never gets a 5xx.
    """
    if not isinstance(error, errors.ParseException) or isinstance(error, _APP_FAULTS):
        return None
    return _STATUS.get(type(error), HTTPStatus.BAD_REQUEST)


def _kind(error: BaseException) -> str:
    """`InvalidHeaderName` -> `invalid header name`: what was wrong, without the request's bytes."""
    return _WORD_START.sub(" ", type(error).__name__).lower()


def problem_response(status: HTTPStatus, detail: str, request_id: str) -> bytes:
    """A complete HTTP/1.1 response carrying a problem document; the connection closes after it."""
    body = problem_document(status, code_of(status.phrase), detail, request_id)
    head = (
        f"HTTP/1.1 {int(status)} {status.phrase}\r\n"
        f"Connection: close\r\n"
        f"Content-Type: {PROBLEM_JSON}\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Request-ID: {request_id}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class ProblemThreadWorker(ThreadWorker):  # type: ignore[misc]  # a class without hints
    """The `gthread` worker, with refusals and failures answered as problem documents."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        request_id = new_request_id()
        status = refusal_status(exc)
        if status is None:
            # No request line in the message: its query string may hold an access token.
            self.log.exception("failed to handle request %s: %s", request_id, type(exc).__name__)
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            detail = _DETAIL[status]
        else:
            self.log.warning("refused request %s before the app: %s", request_id, _kind(exc))
            template = _DETAIL.get(status, "The request is not valid HTTP/1.1: {kind}.")
            detail = template.format(kind=_kind(exc), **self._limits())
        try:
            util.write_nonblock(client, problem_response(status, detail, request_id))
        except OSError:
            self.log.debug("the client left before the refusal was sent")

    def _limits(self) -> dict[str, int]:
        settings = self.cfg
        return {
            "limit_request_line": settings.limit_request_line,
            "limit_request_fields": settings.limit_request_fields,
            "limit_request_field_size": settings.limit_request_field_size,
        }
