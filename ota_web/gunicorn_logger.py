"""gunicorn's logger without its access log: the app writes one line per request itself.

gunicorn builds its access-log fields for every request whenever a logging
configuration is given (`logconfig_dict`, which routes its messages through
loguru), even with `accesslog = None` and the access logger silenced: work
thrown away per request. This logger skips it.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]


class NoAccessLogger(Logger):  # type: ignore[misc]
    def access(self, *_args: Any, **_kwargs: Any) -> None:
        """Nothing: `ota_web.telemetry` logs each request."""
