"""The service's configuration, read from the environment once (12-factor).

Nothing else in the project reads the environment: adapters take plain
parameters, and `create_app` and the gunicorn configuration get a `Settings`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

import attrs

from ota_core import DEFAULT_PAGE_SIZE, LONGEST_STAY_NIGHTS, MAX_PAGE_SIZE

StorageKind = Literal["memory", "postgres"]
LogFormat = Literal["json", "text"]
T = TypeVar("T")

STORAGE_KINDS: tuple[StorageKind, ...] = ("memory", "postgres")
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "text")
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
# Worker processes x threads of each: 4 x 25 serve 100 requests at once.
DEFAULT_WORKERS = 4
DEFAULT_THREADS = 25
# How long a stopping server lets requests in flight finish (Kubernetes' grace period and
# the preStop sleep are sized over it: deploy/k8s).
GRACEFUL_TIMEOUT_SECONDS = 20
# What gunicorn refuses before the app sees a request (414, 431). The longest request
# line the API needs is a search with every parameter and the token, some 200 bytes.
# Clients send about 10 header fields and proxies add as many; a bearer token is 43
# bytes. The body limit (16 KiB, 413) is the app's: `Settings.max_content_length`.
REQUEST_LINE_MAX_BYTES = 4094
HEADER_FIELDS_MAX = 64
HEADER_FIELD_MAX_BYTES = 8190


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot run with."""


def _whole(name: str, raw: str, minimum: int) -> int:
    if not raw.strip().isdecimal() or int(raw) < minimum:
        raise SettingsError(f"{name} must be a whole number of at least {minimum}, got {raw!r}")
    return int(raw)


def _choice(name: str, raw: str, choices: tuple[T, ...]) -> T:
    for choice in choices:
        if raw.strip().lower() == str(choice).lower():
            return choice
    raise SettingsError(f"{name} must be one of {', '.join(map(str, choices))}, got {raw!r}")


def _flag(name: str, raw: str) -> bool:
    return _choice(name, raw, ("1", "0", "true", "false", "yes", "no")) in {"1", "true", "yes"}


@attrs.frozen(kw_only=True)
class Settings:
    storage: StorageKind = "postgres"
    database_url: str | None = None
    database_replica_url: str | None = None
    data_dir: str = ".ota"
    port: int = 8000
    # The in-memory store lives in one process, so it is served by one worker.
    web_concurrency: int = attrs.field(
        default=attrs.Factory(
            lambda self: 1 if self.storage == "memory" else DEFAULT_WORKERS, takes_self=True
        )
    )
    gunicorn_threads: int = DEFAULT_THREADS
    gunicorn_reload: bool = False
    log_format: LogFormat = "text"
    log_level: str = "INFO"
    # All of a worker's connections are kept open: a connection opened in a burst, when the
    # database is busiest, is the one that times out (a 503).
    db_pool_size: int = 15
    db_max_overflow: int = 0
    db_pool_timeout: int = 5
    db_connect_timeout: int = 5
    db_statement_timeout_ms: int = 5000
    prometheus_multiproc_dir: str | None = None
    # Set: /metrics is served on this port only, by a listener of its own, not on `port`.
    metrics_port: int | None = None
    min_nights: int = 1
    max_nights: int = LONGEST_STAY_NIGHTS
    booking_horizon_days: int = 3 * 365
    # Stripe keeps its keys 24 h: a client still retrying a day later has given up.
    idempotency_key_retention_hours: int = 24
    # Long enough to pay, short enough that abandoned carts give their nights back soon.
    hold_ttl_seconds: int = 600
    default_page_size: int = DEFAULT_PAGE_SIZE
    max_page_size: int = MAX_PAGE_SIZE
    max_content_length: int = 16 * 1024

    def __attrs_post_init__(self) -> None:
        if self.storage == "memory" and self.web_concurrency != 1:
            raise SettingsError(
                "STORAGE=memory keeps the data inside one process: WEB_CONCURRENCY must be 1"
            )
        if self.metrics_port == self.port:
            raise SettingsError(f"METRICS_PORT must differ from PORT ({self.port})")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `environ` (the process environment by default); unset means default."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for variable, (field, parse) in _VARIABLES.items():
            raw = env.get(variable)
            if raw is not None and raw.strip():
                values[field] = parse(variable, raw)
        return cls(**values)

    def as_config(self) -> dict[str, Any]:
        """The values as a plain mapping, for the container's `Configuration`."""
        return attrs.asdict(self)


def _text(_name: str, raw: str) -> str:
    return raw


def _at_least(minimum: int) -> Callable[[str, str], int]:
    return lambda name, raw: _whole(name, raw, minimum)


_VARIABLES: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "STORAGE": ("storage", lambda name, raw: _choice(name, raw, STORAGE_KINDS)),
    "DATABASE_URL": ("database_url", _text),
    "DATABASE_REPLICA_URL": ("database_replica_url", _text),
    "OTA_DATA_DIR": ("data_dir", _text),
    "PORT": ("port", _at_least(1)),
    "WEB_CONCURRENCY": ("web_concurrency", _at_least(1)),
    "GUNICORN_THREADS": ("gunicorn_threads", _at_least(1)),
    "GUNICORN_RELOAD": ("gunicorn_reload", _flag),
    "LOG_FORMAT": ("log_format", lambda name, raw: _choice(name, raw, LOG_FORMATS)),
    "LOG_LEVEL": ("log_level", lambda name, raw: _choice(name, raw, LOG_LEVELS)),
    "DB_POOL_SIZE": ("db_pool_size", _at_least(1)),
    "DB_MAX_OVERFLOW": ("db_max_overflow", _at_least(0)),
    "DB_POOL_TIMEOUT": ("db_pool_timeout", _at_least(1)),
    "DB_CONNECT_TIMEOUT": ("db_connect_timeout", _at_least(1)),
    "DB_STATEMENT_TIMEOUT_MS": ("db_statement_timeout_ms", _at_least(0)),
    "PROMETHEUS_MULTIPROC_DIR": ("prometheus_multiproc_dir", _text),
    "METRICS_PORT": ("metrics_port", _at_least(1)),
    "MIN_NIGHTS": ("min_nights", _at_least(1)),
    "MAX_NIGHTS": ("max_nights", _at_least(1)),
    "BOOKING_HORIZON_DAYS": ("booking_horizon_days", _at_least(0)),
    "IDEMPOTENCY_KEY_RETENTION_HOURS": ("idempotency_key_retention_hours", _at_least(1)),
    "HOLD_TTL_SECONDS": ("hold_ttl_seconds", _at_least(1)),
}
