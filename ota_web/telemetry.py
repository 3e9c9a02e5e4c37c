"""Per request: an id, one log line, and the request metrics."""

from __future__ import annotations

import re
import time
import uuid
from contextlib import AbstractContextManager

import attrs
from flask import Flask, Response, g, request
from loguru import logger

from ota_web.metrics import Metrics
from ota_web.storage import Storage

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept when it is short and printable ASCII, so it is safe to log and echo.
_VALID_REQUEST_ID = re.compile(r"[!-~]{1,128}")
UNMATCHED_ROUTE = "<unmatched>"
POOL_SAMPLE_INTERVAL_S = 1.0
"""How often a worker refreshes its pool gauges: each scrape reads them seconds apart at most."""


@attrs.define
class _Trace:
    """What the hooks of one request share, kept on `g` as one object."""

    request_id: str
    started: float
    log_context: AbstractContextManager[None]


def _request_id(sent: str | None) -> str:
    if sent is not None and _VALID_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def _start() -> None:
    request_id = _request_id(request.headers.get(REQUEST_ID_HEADER))
    context = logger.contextualize(request_id=request_id)
    context.__enter__()
    g.trace = _Trace(request_id, time.perf_counter(), context)


def _end_log_context(_error: BaseException | None) -> None:
    trace: _Trace | None = g.pop("trace", None)
    if trace is not None:
        trace.log_context.__exit__(None, None, None)


def request_id() -> str:
    """The current request's id (`-` outside a request's hooks)."""
    trace: _Trace | None = g.get("trace")
    return "-" if trace is None else trace.request_id


def install_request_telemetry(app: Flask, metrics: Metrics, storage: Storage) -> None:
    """Register the hooks; the first `before_request` of the app, so it sees every request."""
    pools_sampled = -POOL_SAMPLE_INTERVAL_S  # when, by `time.monotonic()`

    def sample_pools() -> None:
        nonlocal pools_sampled
        now = time.monotonic()
        if storage.pool_usage is not None and now - pools_sampled >= POOL_SAMPLE_INTERVAL_S:
            pools_sampled = now  # threads that race here sample twice, which is harmless
            metrics.observe_pools(storage.pool_usage())

    def finish(response: Response) -> Response:
        trace: _Trace = g.trace
        seconds = time.perf_counter() - trace.started
        rule, method = request.url_rule, request.method
        route = rule.rule if rule is not None else UNMATCHED_ROUTE
        response.headers[REQUEST_ID_HEADER] = trace.request_id
        metrics.observe_request(method, route, response.status_code, seconds)
        sample_pools()
        logger.info(
            "request",
            method=method,
            route=route,
            status=response.status_code,
            duration_ms=round(seconds * 1000, 2),
            token=g.get("token_prefix"),
        )
        return response

    app.before_request(_start)
    app.after_request(finish)
    app.teardown_request(_end_log_context)
