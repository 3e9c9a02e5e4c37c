"""Logs, set up once per process: one sink, JSON or text, loguru and stdlib logging routed in.

Every line written while a request id is bound (`bind_request_id`, by
`ota_web.telemetry` for each request) carries it as its first field. Lines come
through loguru, but for the request's own line (`log_request`), which is written
to the same sink directly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import json
import logging
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from loguru import logger
from pydantic_core import PydanticSerializationError, to_json

if TYPE_CHECKING:
    from loguru import Message, Record

_owned_sinks: list[int] = []
_JSON = json.JSONEncoder(ensure_ascii=False, default=str)
_LOGURU_DEFAULT_SINK = 0
_request_id: ContextVar[str | None] = ContextVar("ota_log_request_id", default=None)


def new_request_id() -> str:
    """A request id for a request that came without a usable one: a random UUID, in hex.

    Random rather than counted, so the ids of every worker and every instance never
    collide in the logs they share.
    """
    return uuid.uuid4().hex


def bind_request_id(request_id: str) -> Token[str | None]:
    """Make every line logged in this context carry `request_id`, until `unbind_request_id`."""
    return _request_id.set(request_id)


def unbind_request_id(bound: Token[str | None]) -> None:
    _request_id.reset(bound)


def _with_request_id(fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` with the bound request id first, when one is bound."""
    request_id = _request_id.get()
    return fields if request_id is None else {"request_id": request_id, **fields}


def _add_request_id(record: Record) -> None:
    """The loguru patcher: runs only for lines that are written, not for those filtered out."""
    record["extra"] = _with_request_id(record["extra"])


class Line(NamedTuple):
    """One line as the sink writes it, whether loguru or `log_request` made it."""

    time: dt.datetime
    level: str
    message: str
    fields: Mapping[str, object]
    traceback: str | None = None


def _traceback(record: Record) -> str | None:
    exception = record["exception"]
    if exception is None or exception.type is None:
        return None
    return "".join(traceback.format_exception(exception.type, exception.value, exception.traceback))


def _line_of(record: Record) -> Line:
    return Line(
        record["time"], record["level"].name, record["message"], record["extra"], _traceback(record)
    )


@functools.lru_cache(maxsize=4)
def _second(epoch_second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_second))


def _iso_time(moment: dt.datetime) -> str:
    """ISO 8601 in UTC to the millisecond; the seconds part is formatted once per second."""
    second, microsecond = divmod(round(moment.timestamp() * 1_000_000), 1_000_000)
    return f"{_second(second)}.{microsecond // 1000:03d}Z"


def _json(fields: dict[str, object]) -> str:
    """`fields` as one JSON object; values JSON has no type for are written as text.

    pydantic-core's serializer writes a request's line in a quarter of the
    standard library's time, and dates and times in ISO 8601. A value it cannot
    write (bytes that are not UTF-8) sends the line through the standard
    library's encoder, which writes such values as text too.
    """
    try:
        return to_json(fields, fallback=str).decode()
    except PydanticSerializationError:
        return _JSON.encode(fields)


def json_line(line: Line) -> str:
    """The line as one JSON object: time, level, message, then every field."""
    written: dict[str, object] = {
        "time": _iso_time(line.time),
        "level": line.level,
        "message": line.message,
        **line.fields,
    }
    if line.traceback is not None:
        written["traceback"] = line.traceback
    return _json(written)


def text_line(line: Line) -> str:
    """The line for people: local time, level, message, then `key=value` per field."""
    fields = " ".join(f"{key}={value}" for key, value in line.fields.items())
    moment = line.time.astimezone()
    text = (
        f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"
        f" | {line.level:<7} | {line.message} | {fields}"
    )
    return text if line.traceback is None else f"{text}\n{line.traceback.rstrip()}"


class _Sink:
    """Where this process's lines go: one stream, one format, one lock so lines never interleave."""

    def __init__(self, stream: TextIO | None, render: Callable[[Line], str]) -> None:
        self._stream = stream
        self._render = render
        self._lock = threading.Lock()

    def write(self, line: Line) -> None:
        text = self._render(line) + "\n"
        # Without a stream of its own, the sink looks up sys.stderr at each write,
        # so it follows redirections (test capture) instead of keeping a closed one.
        with self._lock:
            (self._stream or sys.stderr).write(text)
            for tap in _taps:
                tap(line)

    def write_record(self, message: Message) -> None:
        """loguru's side: its handler has already filtered the record by level."""
        self.write(_line_of(message.record))


_request_sink: _Sink | None = None  # the sink, while it writes INFO lines
_taps: list[Callable[[Line], None]] = []


def log_request(fields: dict[str, Any]) -> None:
    """Write the current request's one line (`message: "request"`, at INFO).

    It goes straight to the sink, in the format and with the request id first as
    loguru's lines, without loguru building a record for it: at one per request,
    that record cost 8% of a booking's CPU (ADR 0017). Sinks added to loguru by
    others do not see it.
    """
    sink = _request_sink
    if sink is None:
        return
    try:
        sink.write(Line(dt.datetime.now(dt.UTC), "INFO", "request", _with_request_id(fields)))
    except (OSError, ValueError):  # a closed or broken stream: the request still gets its answer
        return


@contextlib.contextmanager
def watching(tap: Callable[[Line], None]) -> Iterator[None]:
    """Hand `tap` every line written while the block runs, in order, as it is written.

    `tap` runs under the sink's lock: it must be quick and must not log.
    """
    _taps.append(tap)
    try:
        yield
    finally:
        _taps.remove(tap)


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
    global _request_sink  # noqa: PLW0603 - one sink per process, replaced here only
    while _owned_sinks:
        logger.remove(_owned_sinks.pop())
    with contextlib.suppress(ValueError):  # already removed
        logger.remove(_LOGURU_DEFAULT_SINK)
    sink = _Sink(stream, json_line if log_format == "json" else text_line)
    _request_sink = sink if logger.level(level).no <= logger.level("INFO").no else None
    _owned_sinks.append(logger.add(sink.write_record, level=level, format="{message}"))
    logger.configure(patcher=_add_request_id)
    stdlib_level = logging.getLevelNamesMapping().get(level, logging.INFO)
    logging.basicConfig(handlers=[InterceptHandler()], level=stdlib_level, force=True)
