"""Routes for operators and tools: health, readiness, metrics, the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, Response

from ota_web.api.parsing import JSON, json_response
from ota_web.container import Container
from ota_web.metrics import Metrics
from ota_web.schemas import Status

ops = Blueprint("ops", __name__)

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


@ops.get("/metrics")
@inject
def metrics(registry: Metrics = Provide[Container.metrics]) -> Response:
    body, content_type = registry.exposition()
    return Response(body, content_type=content_type)


@ops.get("/openapi.json")
@inject
def openapi(document: bytes = Provide[Container.openapi]) -> Response:
    return Response(document, mimetype=JSON)
