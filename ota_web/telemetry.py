"""Per request: an id, one log line, and the request metrics."""

from __future__ import annotations

import re
import time
import uuid
from contextlib import AbstractContextManager

from flask import Flask, Response, g, request
from loguru import logger

from ota_web.metrics import Metrics
from ota_web.storage import Storage

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept when it is short and printable ASCII, so it is safe to log and echo.
_VALID_REQUEST_ID = re.compile(r"[!-~]{1,128}")
UNMATCHED_ROUTE = "<unmatched>"


def _request_id() -> str:
    sent = request.headers.get(REQUEST_ID_HEADER)
    if sent is not None and _VALID_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def _start() -> None:
    g.started = time.perf_counter()
    g.request_id = _request_id()
    context: AbstractContextManager[None] = logger.contextualize(request_id=g.request_id)
    context.__enter__()
    g.log_context = context


def _end_log_context(_error: BaseException | None) -> None:
    context = g.pop("log_context", None)
    if context is not None:
        context.__exit__(None, None, None)


def install_request_telemetry(app: Flask, metrics: Metrics, storage: Storage) -> None:
    """Register the hooks; the first `before_request` of the app, so it sees every request."""

    def finish(response: Response) -> Response:
        seconds = time.perf_counter() - g.started
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
        response.headers[REQUEST_ID_HEADER] = g.request_id
        metrics.observe_request(request.method, route, response.status_code, seconds)
        if storage.pool_usage is not None:
            metrics.observe_pool(storage.pool_usage())
        logger.info(
            "request",
            method=request.method,
            route=route,
            status=response.status_code,
            duration_ms=round(seconds * 1000, 2),
            token=g.get("token_prefix"),
        )
        return response

    app.before_request(_start)
    app.after_request(finish)
    app.teardown_request(_end_log_context)
