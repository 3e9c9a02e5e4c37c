"""An app per test, on the in-memory store, with a fixed clock and sequential ids."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from loguru import logger

from ota_web.app import OtaFlask
from tests.web.support import build_app


@pytest.fixture
def app() -> Iterator[OtaFlask]:
    app = build_app()
    yield app
    app.container.unwire()


@pytest.fixture
def client(app: OtaFlask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def log_records() -> Iterator[list[dict[str, Any]]]:
    """Every loguru record emitted during the test: message, level and bound fields."""
    records: list[dict[str, Any]] = []

    def keep(message: Any) -> None:
        record = message.record
        records.append(
            {"message": record["message"], "level": record["level"].name, **record["extra"]}
        )

    sink = logger.add(keep, level="DEBUG")
    yield records
    logger.remove(sink)
