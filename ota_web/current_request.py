"""The request being answered, as the object itself rather than Flask's proxy.

Each attribute read through `flask.request` looks the request up again in
its context variable (werkzeug's `LocalProxy`); a function that reads several
attributes resolves it once here instead. A booking read its request through
the proxy 14 times, the minimal app of the benchmarks 7 (bench/RESULTS.md).
"""

from __future__ import annotations

from typing import cast

from flask import Request, request


def current_request() -> Request:
    """The request of the current request context (outside one: `RuntimeError`, as the proxy)."""
    return cast(Request, request._get_current_object())  # type: ignore[attr-defined]
