"""gunicorn's configuration: `gunicorn -c python:ota_web.gunicorn_conf ota_web.wsgi:app`.

Values come from the environment through `Settings`. The app (and with it
every connection pool) is built in each worker after the fork, never in the
master. Metrics of all workers are added up through PROMETHEUS_MULTIPROC_DIR,
which is given a private directory when unset.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ota_web.logging import configure_logging
from ota_web.settings import (
    GRACEFUL_TIMEOUT_SECONDS,
    HEADER_FIELD_MAX_BYTES,
    HEADER_FIELDS_MAX,
    REQUEST_LINE_MAX_BYTES,
    Settings,
)

# Under gunicorn, logs are JSON lines unless LOG_FORMAT says otherwise.
os.environ.setdefault("LOG_FORMAT", "json")
_settings = Settings.from_env()
configure_logging(_settings.log_format, _settings.log_level)

_owned_metrics_dir: str | None = None
if _settings.prometheus_multiproc_dir is None:
    _owned_metrics_dir = tempfile.mkdtemp(prefix="ota-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _owned_metrics_dir
_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]

bind = f"0.0.0.0:{_settings.port}"
# Threads: a request waiting on the database leaves its process free for the others, so
# 4 processes x 25 threads hold 100 requests at once on 2 cores. The worker is gthread's,
# answering what gunicorn refuses itself as problem documents.
worker_class = "ota_web.gunicorn_worker.ProblemThreadWorker"
workers = _settings.web_concurrency
threads = _settings.gunicorn_threads
# Each worker listens on a socket of its own and the kernel spreads new connections over
# them. On one shared socket the worker that wakes first can take every connection of a
# burst of kept-alive clients, and serve them alone with its threads and its pool while
# the other workers idle. (A second server started on the same port by the same user then
# shares it instead of failing to start: `ota serve` checks that the port is free first.)
reuse_port = True
preload_app = False  # the app, and any pool, is made in each worker after the fork
reload = _settings.gunicorn_reload
timeout = 30
graceful_timeout = GRACEFUL_TIMEOUT_SECONDS
keepalive = 5
# Requests over these limits are refused before the app (414, 431): see `ota_web.settings`.
limit_request_line = REQUEST_LINE_MAX_BYTES
limit_request_fields = HEADER_FIELDS_MAX
limit_request_field_size = HEADER_FIELD_MAX_BYTES
control_socket_disable = True  # one per user home otherwise: two servers would share it
accesslog = None  # the app logs one line per request itself
loglevel = {"TRACE": "debug", "SUCCESS": "info"}.get(_settings.log_level, _settings.log_level)
# gunicorn's own messages (start, workers, signals) go through loguru too, in the same format.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"loguru": {"class": "ota_web.logging.InterceptHandler"}},
    "root": {"handlers": ["loguru"], "level": "WARNING"},
    "loggers": {
        "gunicorn.error": {"handlers": ["loguru"], "level": loglevel, "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}
_SHARED_MEMORY = "/dev/shm"  # noqa: S108 (gunicorn's heartbeat files, not data)
if Path(_SHARED_MEMORY).is_dir():
    worker_tmp_dir = _SHARED_MEMORY  # heartbeats off the (possibly slow) container disk


def on_starting(_server: Any) -> None:
    """Forget the values of an earlier run, so counters start at zero."""
    for stale in Path(_metrics_dir).glob("*.db"):
        stale.unlink()


def when_ready(_server: Any) -> None:
    """With METRICS_PORT, serve /metrics from the master on that port, and only there.

    prometheus-client's own server, in a thread of the master: it reads every worker's
    file as the app's /metrics would. Workers never accept on it.
    """
    if _settings.metrics_port is None:
        return
    # Imported here, as in `child_exit`.
    from prometheus_client import start_http_server  # noqa: PLC0415

    from ota_web.metrics import workers_registry  # noqa: PLC0415

    start_http_server(_settings.metrics_port, registry=workers_registry(_metrics_dir))


def child_exit(_server: Any, worker: Any) -> None:
    """Drop the live gauges of a worker that is gone."""
    # Imported here: prometheus-client picks its multiprocess mode at import, and the
    # master must not import it before PROMETHEUS_MULTIPROC_DIR is set for the workers.
    from prometheus_client import multiprocess  # noqa: PLC0415

    multiprocess.mark_process_dead(worker.pid, _metrics_dir)  # type: ignore[no-untyped-call]


def worker_exit(_server: Any, worker: Any) -> None:
    """Close what the worker's container opened (connection pools)."""
    container = getattr(getattr(worker, "wsgi", None), "container", None)
    if container is not None:
        container.shutdown_resources()


def on_exit(_server: Any) -> None:
    if _owned_metrics_dir is not None:
        shutil.rmtree(_owned_metrics_dir, ignore_errors=True)
