"""An app per test, with a fixed clock and sequential ids, on the sample data.

The storage is in memory unless a module asks for every storage by overriding
`storage_kind` with `EACH_STORAGE`: then its tests also run on each PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from ota_adapters.clock import FixedClock
from ota_adapters.postgres import load_sample_data
from ota_web.app import OtaFlask
from ota_web.logging import Line, configure_logging, json_line, watching
from ota_web.storage import Storage, engine_storage, sample_memory_storage
from tests.postgres_servers import truncate
from tests.web.support import NOW, build_app


@pytest.fixture
def storage_kind() -> str:
    return "memory"


def _reset_to_sample_data(engine: sa.Engine) -> None:
    truncate(engine)
    load_sample_data(engine.url.render_as_string(hide_password=False))


@pytest.fixture
def sample_storage(request: pytest.FixtureRequest, storage_kind: str) -> Storage:
    """The sample data, alone, in the storage of `storage_kind`."""
    if storage_kind == "memory":
        return sample_memory_storage(FixedClock(NOW))
    engine: sa.Engine = request.getfixturevalue(storage_kind)
    _reset_to_sample_data(engine)
    return engine_storage(engine)


@pytest.fixture
def app(sample_storage: Storage) -> Iterator[OtaFlask]:
    app = build_app({"storage": sample_storage})
    yield app
    app.container.unwire()


@pytest.fixture
def client(app: OtaFlask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def log_records() -> Iterator[list[dict[str, Any]]]:
    """Every line written at INFO and above during the test, as its JSON line reads.

    Lines are taken from the sink as written (loguru's and the request lines alike),
    in order, each as the object production's JSON line holds: time, level,
    message and fields, values as they are written (ids and dates as text).
    Apps log at INFO by default; so does the sink when no app is built.
    """
    records: list[dict[str, Any]] = []

    def keep(line: Line) -> None:
        records.append(json.loads(json_line(line)))

    configure_logging("text", "INFO")
    with watching(keep):
        yield records
