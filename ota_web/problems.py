"""The RFC 9457 problem document that carries every error answer, built here only.

Neither Flask nor Werkzeug is imported: gunicorn's worker writes the same document
for the requests it refuses before the app, and gunicorn's master imports the worker.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from pydantic_core import to_json

from ota_web.schemas import FieldError, InvalidRequestProblem, Problem

PROBLEM_JSON = "application/problem+json"
INTERNAL_ERROR_DETAIL = "The server failed to answer; quote the request id when reporting it."
_NOT_A_WORD = re.compile(r"[^a-z0-9]+")


def code_of(name: str) -> str:
    """A machine-readable code from a name: `Method Not Allowed` -> `method_not_allowed`."""
    return _NOT_A_WORD.sub("_", name.lower()).strip("_")


def problem_document(
    status: int, code: str, detail: str, request_id: str, errors: list[FieldError] | None = None
) -> bytes:
    """The problem as JSON, titled by its status.

    A 400 always lists what was wrong: `errors`, field by field, or else the
    request as a whole, with `detail`. Other statuses list nothing.
    """
    problem = Problem(
        type="about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
        request_id=request_id,
    )
    if status != HTTPStatus.BAD_REQUEST:
        return to_json(problem)
    listed = errors or [FieldError(field="request", message=detail)]
    return to_json(InvalidRequestProblem(**problem, errors=listed))
