"""An app per test, with a fixed clock and sequential ids, on the sample data.

The storage is in memory unless a module asks for every storage by overriding
`storage_kind` with `EACH_STORAGE`: then its tests also run on each PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from loguru import logger

from ota_adapters.clock import FixedClock
from ota_adapters.sample_data import load_sample_data
from ota_web.app import OtaFlask
from ota_web.logging import json_line
from ota_web.storage import Storage, engine_storage, sample_memory_storage
from tests.postgres_servers import truncate
from tests.web.support import NOW, build_app

if TYPE_CHECKING:
    from loguru import Message


@pytest.fixture
def storage_kind() -> str:
    return "memory"


@pytest.fixture
def sample_storage(request: pytest.FixtureRequest, storage_kind: str) -> Storage:
    """The sample data, alone, in the storage of `storage_kind`."""
    if storage_kind == "memory":
        return sample_memory_storage(FixedClock(NOW))
    engine: sa.Engine = request.getfixturevalue(storage_kind)
    truncate(engine)
    storage = engine_storage(engine)
    load_sample_data(storage.unit_of_work, recorded_at=NOW)
    return storage


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
    """Every line logged at INFO and above during the test, as its JSON line reads.

    A sink of the test's own, added to loguru as any other sink would be, takes
    each line as it is written, in order: time, level, message and fields, values
    as they are written (ids and dates as text).
    """
    records: list[dict[str, Any]] = []

    def keep(message: Message) -> None:
        records.append(json.loads(json_line(message.record)))

    sink = logger.add(keep, level="INFO", format="{message}")
    yield records
    logger.remove(sink)
