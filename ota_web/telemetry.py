"""Per request: an id, one log line, and the request metrics.

`RequestTelemetry` wraps the Flask app as WSGI middleware, so it sees every
request, those Flask answers with an error included. Each request gets a
`Trace`, which the app reaches in the WSGI environ (`current_trace()`):

- its id, bound to every line logged while the app answers
  (`logger.contextualize`) and returned in `X-Request-ID`;
- its route, noted by the app's first `before_request` hook (`note_route`),
  once Flask has matched the URL;
- what the request did (a booking, a conflict: `annotate`), written as fields of
  the request's one log line (a canonical log line) instead of as lines of their own.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import attrs
from flask import has_request_context, request
from loguru import logger
from werkzeug.datastructures import EnvironHeaders

from ota_web.logging import new_request_id
from ota_web.metrics import Metrics
from ota_web.storage import PoolUsage

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

REQUEST_ID_HEADER = "X-Request-ID"
TRACE_ENVIRON_KEY = "ota.trace"
# A caller's id is kept when it is short and printable ASCII, so it is safe to log and echo.
_VALID_REQUEST_ID = re.compile(r"[!-~]{1,128}")
UNMATCHED_ROUTE = "<unmatched>"
POOL_SAMPLE_INTERVAL_S = 1.0
"""How often a worker refreshes its pool gauges: each scrape reads them seconds apart at most."""


@attrs.define
class Trace:
    """One request as its log line and metrics will tell it."""

    request_id: str
    route: str = UNMATCHED_ROUTE
    token: str | None = None  # the first characters of the access token, once accepted
    fields: dict[str, object] = attrs.Factory(dict)  # what `annotate` added


def current_trace() -> Trace | None:
    """The request being answered, if any."""
    if not has_request_context():
        return None
    trace = request.environ.get(TRACE_ENVIRON_KEY)
    return trace if isinstance(trace, Trace) else None


def request_id() -> str:
    """The current request's id (`-` outside a request)."""
    trace = current_trace()
    return "-" if trace is None else trace.request_id


def annotate(**fields: object) -> bool:
    """Add `fields` to the current request's log line; False (nothing done) outside a request."""
    trace = current_trace()
    if trace is None:
        return False
    trace.fields.update(fields)
    return True


def note_route() -> None:
    """The `before_request` hook that names the matched route (404s keep `<unmatched>`)."""
    trace, rule = current_trace(), request.url_rule
    if trace is not None and rule is not None:
        trace.route = rule.rule


def _request_id(sent: str | None) -> str:
    if sent is not None and _VALID_REQUEST_ID.fullmatch(sent):
        return sent
    return new_request_id()


class RequestTelemetry:
    """WSGI middleware: the request's id, its log line and its metrics."""

    def __init__(
        self,
        app: WSGIApplication,
        metrics: Metrics,
        pool_usage: Callable[[], dict[str, PoolUsage]] | None,
    ) -> None:
        self._app = app
        self._metrics = metrics
        self._pool_usage = pool_usage
        self._pools_sampled = -POOL_SAMPLE_INTERVAL_S  # when, by `time.monotonic()`

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        trace = Trace(_request_id(EnvironHeaders(environ).get(REQUEST_ID_HEADER)))
        environ[TRACE_ENVIRON_KEY] = trace
        status = 500  # unless the app starts a response

        def start(status_line: str, headers: list[tuple[str, str]], *exc_info: object) -> object:
            nonlocal status
            status = int(status_line[:3])
            headers.append((REQUEST_ID_HEADER, trace.request_id))
            return start_response(status_line, headers, *exc_info)  # type: ignore[arg-type]

        with logger.contextualize(request_id=trace.request_id):
            try:
                return self._app(environ, start)  # type: ignore[arg-type]
            finally:
                self._finish(environ["REQUEST_METHOD"], trace, status, started)

    def _finish(self, method: str, trace: Trace, status: int, started: float) -> None:
        seconds = time.perf_counter() - started
        self._metrics.observe_request(method, trace.route, status, seconds)
        self._sample_pools()
        # Keyword arguments of a call go into the record's `extra`, as `bind` would put them,
        # without a bound logger made per request (the message has no fields to format).
        logger.info(
            "request",
            method=method,
            route=trace.route,
            status=status,
            duration_ms=round(seconds * 1000, 2),
            token=trace.token,
            **trace.fields,
        )

    def _sample_pools(self) -> None:
        now = time.monotonic()
        if self._pool_usage is not None and now - self._pools_sampled >= POOL_SAMPLE_INTERVAL_S:
            self._pools_sampled = now  # threads that race here sample twice, which is harmless
            self._metrics.observe_pools(self._pool_usage())
