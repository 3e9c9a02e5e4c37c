"""Every error, from any layer, is one RFC 9457 problem document.

Hostile and malformed requests in bulk: `test_hostile_input`.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from ota_core import IdempotencyKeyTaken, StorageUnavailable, UnitOfWork
from ota_web.errors import INTERNAL_ERROR_DETAIL, RETRY_AFTER_SECONDS
from ota_web.storage import Storage
from tests.web.support import AUTH, RESERVATIONS, build_app, problem, search


class BrokenSearch:
    """A use case failing the way a bug would."""

    def execute(self, _query: object) -> None:
        raise ZeroDivisionError("the secret internals")


def _unreachable() -> UnitOfWork:
    raise StorageUnavailable("the database does not answer")


def _down() -> None:
    raise StorageUnavailable("the database does not answer")


UNREACHABLE = Storage(unit_of_work=_unreachable, check_ready=_down)


@pytest.fixture
def client_with(request: pytest.FixtureRequest) -> Any:
    apps = []

    def build(**overrides: object) -> FlaskClient:
        app = build_app(overrides)
        apps.append(app)
        return app.test_client()

    yield build
    for app in apps:
        app.container.unwire()


def test_an_unknown_route_is_a_404_problem(client: FlaskClient) -> None:
    problem(client.get("/no/such/page"), 404, "not_found")


def test_a_wrong_method_is_a_405_problem_listing_the_allowed_ones(client: FlaskClient) -> None:
    response = client.put(RESERVATIONS, headers=AUTH)

    problem(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_an_unexpected_error_is_a_generic_500_with_the_traceback_only_in_the_logs(
    client_with: Any, log_records: list[dict[str, Any]]
) -> None:
    client = client_with(search_availability=BrokenSearch())

    response = search(client, "start_date=2021-01-04&nights=3")

    body = problem(response, 500, "internal_error")
    assert body["detail"] == INTERNAL_ERROR_DETAIL
    assert b"secret" not in response.get_data()
    assert b"ZeroDivisionError" not in response.get_data()
    errors = [r for r in log_records if r["level"] == "ERROR"]
    assert errors[0]["message"] == "unhandled error: ZeroDivisionError"
    assert errors[0]["request_id"] == body["request_id"]


def test_unreachable_storage_is_a_503_with_retry_after(client_with: Any) -> None:
    client = client_with(storage=UNREACHABLE)

    for response in (search(client, "start_date=2021-01-04&nights=3"), client.get("/readyz")):
        body = problem(response, 503, "storage_unavailable")
        assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert "does not answer" not in body["detail"], "internals stay in the logs"


class KeyInFlight:
    """Booking while another request with the same Idempotency-Key is being booked."""

    def execute(
        self, _request: object, _owner: object, *, idempotency_key: str | None = None
    ) -> None:
        raise IdempotencyKeyTaken(f"idempotency key {idempotency_key!r} is already in use")


def test_a_key_still_being_booked_by_another_request_is_a_409(client_with: Any) -> None:
    client = client_with(make_reservation=KeyInFlight())
    body = {"property_id": "g3hbWxJ5TdXidt", "start_date": "2027-06-01", "nights": 3}

    response = client.post(RESERVATIONS, json=body, headers=AUTH | {"Idempotency-Key": "k"})

    problem(response, 409, "idempotency_key_taken")


def test_the_liveness_check_does_not_touch_the_storage(client_with: Any) -> None:
    assert client_with(storage=UNREACHABLE).get("/healthz").status_code == 200
