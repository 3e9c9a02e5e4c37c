"""loguru, set up once per process: one sink, JSON or text, and stdlib logging routed in.

Every line written while a request id is bound (`bind_request_id`, by
`ota_web.telemetry` for each request) carries it as its first field.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import json
import logging
import secrets
import sys
import traceback
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, TextIO

from loguru import logger

if TYPE_CHECKING:
    from loguru import Message, Record

_owned_sinks: list[int] = []
_JSON = json.JSONEncoder(ensure_ascii=False, default=str)
_LOGURU_DEFAULT_SINK = 0
_request_id: ContextVar[str | None] = ContextVar("ota_log_request_id", default=None)


def new_request_id() -> str:
    """A request id for a request that came without a usable one: 32 random hex characters."""
    return secrets.token_hex(16)


def bind_request_id(request_id: str) -> Token[str | None]:
    """Make every line logged in this context carry `request_id`, until `unbind_request_id`."""
    return _request_id.set(request_id)


def unbind_request_id(bound: Token[str | None]) -> None:
    _request_id.reset(bound)


def _add_request_id(record: Record) -> None:
    """The loguru patcher: runs only for lines that are written, not for those filtered out."""
    request_id = _request_id.get()
    if request_id is not None:
        record["extra"] = {"request_id": request_id, **record["extra"]}


def _traceback(record: Record) -> str | None:
    exception = record["exception"]
    if exception is None or exception.type is None:
        return None
    return "".join(traceback.format_exception(exception.type, exception.value, exception.traceback))


@functools.lru_cache(maxsize=4)
def _second(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _iso_time(moment: dt.datetime) -> str:
    """ISO 8601 in UTC to the millisecond; the seconds part is formatted once per second."""
    utc = moment.astimezone(dt.UTC)
    return f"{_second(utc.replace(microsecond=0))}.{utc.microsecond // 1000:03d}Z"


def json_line(record: Record) -> str:
    """The record as one JSON object: time, level, message, then every bound field."""
    line: dict[str, object] = {
        "time": _iso_time(record["time"]),
        "level": record["level"].name,
        "message": record["message"],
        **record["extra"],
    }
    trace = _traceback(record)
    if trace is not None:
        line["traceback"] = trace
    return _JSON.encode(line)


def text_line(record: Record) -> str:
    """The record for people: time, level, message, then `key=value` per bound field."""
    fields = " ".join(f"{key}={value}" for key, value in record["extra"].items())
    line = (
        f"{record['time']:%Y-%m-%d %H:%M:%S}.{record['time'].microsecond // 1000:03d}"
        f" | {record['level'].name:<7} | {record['message']} | {fields}"
    )
    trace = _traceback(record)
    return line if trace is None else f"{line}\n{trace.rstrip()}"


def _sink(stream: TextIO | None, render: Callable[[Record], str]) -> Callable[[Message], None]:
    def write(message: Message) -> None:
        # Without a stream of its own, the sink looks up sys.stderr at each write,
        # so it follows redirections (test capture) instead of keeping a closed one.
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
    sink = _sink(stream, render)
    _owned_sinks.append(logger.add(sink, level=level, format="{message}"))
    logger.configure(patcher=_add_request_id)
    stdlib_level = logging.getLevelNamesMapping().get(level, logging.INFO)
    logging.basicConfig(handlers=[InterceptHandler()], level=stdlib_level, force=True)
