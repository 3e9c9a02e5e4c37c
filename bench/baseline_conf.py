"""gunicorn settings of the thin baseline: the service's (`ota_web.gunicorn_conf`), minus its app.

    gunicorn -c python:bench.baseline_conf bench.baseline_app:app

Same worker model and counts (gthread, WEB_CONCURRENCY x GUNICORN_THREADS, 4 x 25
by default), one listening socket per worker, the same keep-alive; no access log and
only gunicorn's warnings.
"""

from __future__ import annotations

import os

from ota_web.settings import DEFAULT_THREADS, DEFAULT_WORKERS

bind = f"127.0.0.1:{os.environ.get('PORT', '8001')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", str(DEFAULT_WORKERS)))
threads = int(os.environ.get("GUNICORN_THREADS", str(DEFAULT_THREADS)))
reuse_port = True
preload_app = False
timeout = 30
keepalive = 5
control_socket_disable = True
accesslog = None
loglevel = "warning"
