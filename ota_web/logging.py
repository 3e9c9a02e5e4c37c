"""Logs, set up once per process: loguru, with one sink writing JSON or text lines.

Every line goes through loguru, the standard library's (gunicorn's included)
routed in by `InterceptHandler`. What a line is about travels in its record's
`extra`: the request id bound for a whole request (`logger.contextualize`, by
`ota_web.telemetry`), the fields of a call (`logger.bind`, keyword arguments).
A sink added with `logger.add`, whoever adds it, gets every line with them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import json
import logging
import sys
import traceback
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from loguru import logger

if TYPE_CHECKING:
    from loguru import Message, Record

Render = Callable[["Record"], str]

_owned_sinks: list[int] = []
_LOGURU_DEFAULT_SINK = 0


def new_request_id() -> str:
    """A request id for a request that came without a usable one: a random UUID, in hex.

    Random rather than counted, so the ids of every worker and every instance never
    collide in the logs they share.
    """
    return uuid.uuid4().hex


def _traceback(record: Record) -> str | None:
    exception = record["exception"]
    if exception is None or exception.type is None:
        return None
    return "".join(traceback.format_exception(exception.type, exception.value, exception.traceback))


def _as_text(value: object) -> str:
    """A value JSON has no type for, as text: dates and times in ISO 8601."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def json_line(record: Record) -> str:
    """The record as one JSON object: time (UTC, to the millisecond), level, message, fields."""
    moment = record["time"].astimezone(dt.UTC).isoformat(timespec="milliseconds")
    written: dict[str, object] = {
        "time": moment.replace("+00:00", "Z"),
        "level": record["level"].name,
        "message": record["message"],
        **record["extra"],
    }
    failure = _traceback(record)
    if failure is not None:
        written["traceback"] = failure
    return json.dumps(written, ensure_ascii=False, separators=(",", ":"), default=_as_text)


def text_line(record: Record) -> str:
    """The record for people: local time, level, message, then `key=value` per field."""
    moment = record["time"].astimezone()
    fields = " ".join(f"{key}={value}" for key, value in record["extra"].items())
    text = (
        f"{moment.strftime('%Y-%m-%d %H:%M:%S')}.{moment.microsecond // 1000:03d}"
        f" | {record['level'].name:<7} | {record['message']} | {fields}"
    )
    failure = _traceback(record)
    return text if failure is None else f"{text}\n{failure.rstrip()}"


def _sink(stream: TextIO | None, render: Render) -> Callable[[Message], None]:
    """A loguru sink writing each record as `render` has it, one line each.

    The record is rendered here rather than by a `format` callable: loguru reads
    what such a callable returns as a template, braces and color tags included,
    which a JSON line or a route like `<unmatched>` is not. Without a stream of
    its own, the sink writes to `sys.stderr` as it is at each line, following
    redirections (test capture) instead of keeping a stream that was closed.
    """

    def write(message: Message) -> None:
        (stream or sys.stderr).write(render(message.record) + "\n")

    return write


class InterceptHandler(logging.Handler):
    """Sends records of the standard `logging` module to loguru."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        frame, depth = inspect.currentframe(), 0
        while frame is not None and (depth == 0 or frame.f_code.co_filename == logging.__file__):
            frame = frame.f_back
            depth += 1
        logger.opt(depth=depth, exception=record.exc_info).log(level, record.getMessage())


def configure_logging(log_format: str, level: str, stream: TextIO | None = None) -> None:
    """Replace this module's sink (and no other) by one writing `log_format` lines at `level`."""
    while _owned_sinks:
        logger.remove(_owned_sinks.pop())
    with contextlib.suppress(ValueError):  # already removed
        logger.remove(_LOGURU_DEFAULT_SINK)
    render = json_line if log_format == "json" else text_line
    _owned_sinks.append(logger.add(_sink(stream, render), level=level, format="{message}"))
    stdlib_level = logging.getLevelNamesMapping().get(level, logging.INFO)
    logging.basicConfig(handlers=[InterceptHandler()], level=stdlib_level, force=True)
