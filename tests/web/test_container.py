"""The container: storage chosen by one setting, providers overridden by name."""

from __future__ import annotations

import datetime as dt

import pytest

from ota_adapters.clock import FixedClock, SystemClock
from ota_adapters.ids import UuidV7Generator
from ota_adapters.memory import InMemoryStore
from ota_core import MakeReservation, SearchAvailability
from ota_web.app import build_container, create_app
from ota_web.settings import Settings, SettingsError
from ota_web.storage import memory_storage
from tests.web.support import AUTH, RESERVATIONS, problem, search


def test_production_wiring_uses_the_system_clock_uuid7_ids_and_the_sample_data() -> None:
    container = build_container(Settings(storage="memory"))
    try:
        assert isinstance(container.clock(), SystemClock)
        assert isinstance(container.ids(), UuidV7Generator)
        with container.unit_of_work()() as uow:
            assert uow.properties.get("g3hbWxJ5TdXidt") is not None  # type: ignore[arg-type]
    finally:
        container.unwire()


def test_use_cases_are_shared_services_over_the_shared_ports() -> None:
    container = build_container(Settings(storage="memory"))
    try:
        first, second = container.search_availability(), container.search_availability()
        assert isinstance(first, SearchAvailability)
        assert first is second, "stateless: one per app, built with it"
        assert isinstance(container.make_reservation(), MakeReservation)
        assert container.storage() is container.storage()
    finally:
        container.unwire()


def test_postgres_without_a_database_url_stops_the_start() -> None:
    with pytest.raises(SettingsError, match="STORAGE=postgres needs DATABASE_URL"):
        build_container(Settings(storage="postgres"))


def test_a_policy_allowing_longer_stays_than_the_database_stores_stops_the_start() -> None:
    settings = Settings(storage="postgres", database_url="postgresql://db/ota", max_nights=400)
    with pytest.raises(SettingsError, match="MAX_NIGHTS: max_nights 400 is above 365"):
        build_container(settings)


def test_overriding_an_unknown_provider_is_an_error() -> None:
    with pytest.raises(KeyError, match="no_such_thing"):
        build_container(Settings(), {"no_such_thing": object()})


def test_overrides_replace_storage_and_clock() -> None:
    app = create_app(
        {
            "storage": memory_storage(InMemoryStore()),
            "clock": FixedClock(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)),
        },
        settings=Settings(),
    )
    try:
        client = app.test_client()
        assert search(client, "start_date=2031-01-01&nights=1").status_code == 404
        body = {"property_id": "g3hbWxJ5TdXidt", "start_date": "2029-06-01", "nights": 1}
        past = client.post(RESERVATIONS, json=body, headers=AUTH)
        assert problem(past, 400, "policy_violation")["errors"][0]["field"] == "start_date"
    finally:
        app.container.unwire()
