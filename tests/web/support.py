"""Helpers for the web tests: app building, requests, problem checks."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient
from pydantic import TypeAdapter
from werkzeug.test import TestResponse

from ota_adapters.clock import FixedClock
from ota_adapters.ids import SequentialIds
from ota_web.app import OtaFlask, create_app
from ota_web.schemas import InvalidRequestProblem, Problem
from ota_web.settings import Settings
from ota_web.storage import sample_memory_storage
from tests.live import TOKEN

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SEARCH = "/api/v1/properties/available"
RESERVATIONS = "/api/v1/reservations"
# The sample properties free over 2021-01-04 for 3 nights, in id order.
FREE_2021_01_04_FOR_3 = [
    "1BlCOXqGH2MZb2",
    "H75e1FjJFudcbC",
    "SnbrmRLFxOhCAT",
    "djddZlw8apLVfi",
    "g3hbWxJ5TdXidt",
]


# The fixtures naming each storage, for modules that override `storage_kind` with them.
EACH_STORAGE = [
    pytest.param("memory", id="memory"),
    pytest.param("postgres15_engine", id="postgres15", marks=pytest.mark.postgres),
    pytest.param("embedded_engine", id="embedded-postgres18", marks=pytest.mark.postgres),
]


def build_app(overrides: dict[str, Any] | None = None, **settings: Any) -> OtaFlask:
    clock = FixedClock(NOW)
    defaults: dict[str, Any] = {
        "clock": clock,
        "ids": SequentialIds(),
        "storage": sample_memory_storage(clock),
    }
    return create_app(defaults | (overrides or {}), settings=Settings(**settings))


def reserve(
    client: FlaskClient,
    property_id: str = "g3hbWxJ5TdXidt",
    start_date: str = "2027-06-01",
    nights: int = 3,
    headers: dict[str, str] | None = None,
) -> TestResponse:
    body = {"property_id": property_id, "start_date": start_date, "nights": nights}
    return client.post(RESERVATIONS, json=body, headers=AUTH | (headers or {}))


def search(client: FlaskClient, query: str, headers: dict[str, str] | None = None) -> TestResponse:
    return client.get(f"{SEARCH}?{query}", headers=AUTH if headers is None else headers)


def a_token() -> str:
    return str(uuid.uuid4())


def problem(response: TestResponse, status: int, code: str | None = None) -> dict[str, Any]:
    """The response's problem document, checked against its schema; its fields as a dict."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    shape = InvalidRequestProblem if status == 400 else Problem
    body: dict[str, Any] = TypeAdapter(shape).validate_json(response.get_data(), strict=True)
    assert body["status"] == status
    assert body["request_id"] == response.headers["X-Request-ID"]
    if code is not None:
        assert body["code"] == code, body
    return body


def fields_at_fault(response: TestResponse) -> set[str]:
    return {error["field"] for error in problem(response, 400)["errors"]}


def json_of(response: TestResponse) -> Any:
    assert response.mimetype == "application/json", response.get_data(as_text=True)
    return json.loads(response.get_data())
