"""With DATABASE_REPLICA_URL, searches read the replica; everything else the primary.

The two databases are kept apart here (no replication between them), so each
answer shows which one it came from.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from ota_adapters.clock import FixedClock
from ota_adapters.ids import SequentialIds
from ota_adapters.postgres import prepare_database
from ota_web.app import OtaFlask, create_app
from ota_web.settings import Settings
from tests.integration.postgres.catalog import execute
from tests.postgres_servers import scratch_database
from tests.web.support import AUTH, NOW, json_of, reserve, search

pytestmark = pytest.mark.postgres

PROPERTY = "g3hbWxJ5TdXidt"
STAY = "start_date=2027-06-01&nights=3"


@pytest.fixture(scope="module")
def databases(server: str) -> Iterator[tuple[str, str]]:
    """A primary and a replica, each holding the sample data."""
    with scratch_database(server) as primary, scratch_database(server) as replica:
        prepare_database(primary)
        prepare_database(replica)
        yield primary, replica


@pytest.fixture
def app(databases: tuple[str, str]) -> Iterator[OtaFlask]:
    primary, replica = databases
    settings = Settings(storage="postgres", database_url=primary, database_replica_url=replica)
    app = create_app({"clock": FixedClock(NOW), "ids": SequentialIds()}, settings=settings)
    yield app
    app.container.unwire()
    app.container.shutdown_resources()


def _free_ids(client: FlaskClient) -> list[str]:
    return [p["property_id"] for p in json_of(search(client, STAY))["properties"]]


def test_searches_read_the_replica_and_bookings_the_primary(
    app: OtaFlask, databases: tuple[str, str]
) -> None:
    client = app.test_client()
    booked = reserve(client, PROPERTY, "2027-06-01", 3)
    assert booked.status_code == 200

    # The primary holds the booking; the replica has not seen it.
    assert PROPERTY in _free_ids(client)
    location = booked.headers["Location"]
    assert client.get(location, headers=AUTH).status_code == 200

    _, replica = databases
    execute(
        replica,
        "INSERT INTO reservation (reservation_id, property_id, start_date, number_of_nights)"
        " VALUES (gen_random_uuid(), 'g3hbWxJ5TdXidt', '2027-06-01', 3)",
    )
    assert PROPERTY not in _free_ids(client)


def test_the_replica_pool_is_reported_beside_the_primary(app: OtaFlask) -> None:
    client = app.test_client()
    search(client, STAY)

    metrics = client.get("/metrics").get_data(as_text=True)

    assert 'ota_db_pool_connections{database="primary",state="idle"}' in metrics
    assert 'ota_db_pool_connections{database="replica",state="idle"}' in metrics
