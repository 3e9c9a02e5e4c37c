"""Routes for operators and tools: health, readiness, metrics, the OpenAPI document.

`/metrics` has a blueprint of its own: with `METRICS_PORT` set, the app leaves it out,
and the metrics are served on that port only (`gunicorn_conf.when_ready`).
"""

from __future__ import annotations

from collections.abc import Callable

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, Response

from ota_web.api.parsing import JSON, json_response
from ota_web.container import Container
from ota_web.metrics import Metrics
from ota_web.schemas import Status

ops = Blueprint("ops", __name__)
metrics_on_the_app_port = Blueprint("metrics", __name__)

_ALIVE = Status(status="ok")
_READY = Status(status="ready")


@ops.get("/healthz")
def healthz() -> Response:
    """Alive: answers without touching the storage."""
    return json_response(_ALIVE)


@ops.get("/readyz")
@inject
def readyz(check: Callable[[], None] = Provide[Container.readiness_check]) -> Response:
    check()  # raises StorageUnavailable (503) when the storage cannot serve
    return json_response(_READY)


@metrics_on_the_app_port.get("/metrics")
@inject
def metrics(registry: Metrics = Provide[Container.metrics]) -> Response:
    body, content_type = registry.exposition()
    return Response(body, content_type=content_type)


@ops.get("/openapi.json")
@inject
def openapi(document: bytes = Provide[Container.openapi]) -> Response:
    return Response(document, mimetype=JSON)
