"""POST /api/v1/holds, POST /api/v1/holds/{id}/confirm and DELETE /api/v1/holds/{id}."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ota_adapters.clock import FixedClock
from ota_web.app import OtaFlask
from tests.web.support import (
    AUTH,
    EACH_STORAGE,
    NOW,
    RESERVATIONS,
    a_token,
    fields_at_fault,
    json_of,
    problem,
    reserve,
    search,
)

HOLDS = "/api/v1/holds"
CONDO = "g3hbWxJ5TdXidt"
FIRST_ID = str(uuid.UUID(int=1))
TTL = dt.timedelta(seconds=600)


@pytest.fixture(params=EACH_STORAGE)
def storage_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


def hold(client: FlaskClient, start_date: str = "2027-06-01", nights: int = 3) -> TestResponse:
    body = {"property_id": CONDO, "start_date": start_date, "nights": nights}
    return client.post(HOLDS, json=body, headers=AUTH)


def _later(app: OtaFlask, delta: dt.timedelta) -> None:
    clock = app.container.clock()
    assert isinstance(clock, FixedClock)
    clock.advance(delta)


def test_a_hold_is_made_with_its_expiry(client: FlaskClient) -> None:
    response = hold(client)
    assert response.status_code == 201
    assert json_of(response) == {
        "hold_id": FIRST_ID,
        "property_id": CONDO,
        "start_date": "2027-06-01",
        "end_date": "2027-06-04",
        "nights": 3,
        "expires_at": (NOW + TTL).isoformat().replace("+00:00", "Z"),
    }


def test_a_live_hold_takes_its_nights_from_everyone(client: FlaskClient) -> None:
    hold(client)
    problem(reserve(client, CONDO, "2027-06-02", 1), 409, "dates_unavailable")
    problem(hold(client, "2027-06-03", 2), 409, "dates_unavailable")
    assert CONDO not in search(client, "start_date=2027-06-02&nights=1").get_data(as_text=True)


def test_an_expired_hold_gives_its_nights_back_at_once(app: OtaFlask, client: FlaskClient) -> None:
    hold(client)
    _later(app, TTL)
    assert CONDO in search(client, "start_date=2027-06-02&nights=1").get_data(as_text=True)
    assert reserve(client, CONDO, "2027-06-02", 1).status_code == 200


def test_a_confirmed_hold_is_a_reservation(app: OtaFlask, client: FlaskClient) -> None:
    hold_id = json_of(hold(client))["hold_id"]
    response = client.post(f"{HOLDS}/{hold_id}/confirm", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["Location"] == f"{RESERVATIONS}/{hold_id}"
    assert json_of(response)["status"] == "confirmed"
    assert "Idempotent-Replayed" not in response.headers
    _later(app, TTL * 2)
    problem(reserve(client, CONDO, "2027-06-02", 1), 409, "dates_unavailable")
    again = client.post(f"{HOLDS}/{hold_id}/confirm", headers=AUTH)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"


def test_confirming_an_expired_hold_is_a_410(app: OtaFlask, client: FlaskClient) -> None:
    hold_id = json_of(hold(client))["hold_id"]
    _later(app, TTL)
    problem(client.post(f"{HOLDS}/{hold_id}/confirm", headers=AUTH), 410, "hold_expired")


def test_a_released_hold_frees_its_nights(client: FlaskClient) -> None:
    hold_id = json_of(hold(client))["hold_id"]
    assert client.delete(f"{HOLDS}/{hold_id}", headers=AUTH).status_code == 204
    assert client.delete(f"{HOLDS}/{hold_id}", headers=AUTH).status_code == 204
    problem(client.post(f"{HOLDS}/{hold_id}/confirm", headers=AUTH), 410, "hold_released")
    assert reserve(client, CONDO, "2027-06-02", 1).status_code == 200


def test_unknown_holds_are_404(client: FlaskClient) -> None:
    for response in (
        client.post(f"{HOLDS}/{uuid.uuid4()}/confirm", headers=AUTH),
        client.delete(f"{HOLDS}/{uuid.uuid4()}", headers=AUTH),
        client.delete(f"{HOLDS}/not-a-uuid", headers=AUTH),
    ):
        problem(response, 404)
    booked = json_of(reserve(client))["reservation_id"]
    problem(client.delete(f"{HOLDS}/{booked}", headers=AUTH), 404, "hold_not_found")


def test_a_hold_is_no_reservation_until_confirmed(client: FlaskClient) -> None:
    hold_id = json_of(hold(client))["hold_id"]
    problem(client.get(f"{RESERVATIONS}/{hold_id}", headers=AUTH), 404)


def test_bad_holds_name_the_field(client: FlaskClient) -> None:
    assert fields_at_fault(hold(client, "2027-02-30")) == {"start_date"}
    assert fields_at_fault(hold(client, nights=0)) == {"nights"}
    assert fields_at_fault(hold(client, "2020-01-01")) == {"start_date"}
    body = {"property_id": CONDO, "start_date": "2027-06-01"}
    assert fields_at_fault(client.post(HOLDS, json=body, headers=AUTH)) == {"nights"}


def test_only_the_owner_confirms_or_releases_a_hold(client: FlaskClient) -> None:
    other = {"Authorization": f"Bearer {a_token()}"}
    hold_id = json_of(hold(client))["hold_id"]
    problem(client.post(f"{HOLDS}/{hold_id}/confirm", headers=other), 404, "hold_not_found")
    problem(client.delete(f"{HOLDS}/{hold_id}", headers=other), 404, "hold_not_found")
    assert client.post(f"{HOLDS}/{hold_id}/confirm", headers=AUTH).status_code == 200
    problem(client.get(f"{RESERVATIONS}/{hold_id}", headers=other), 404)


def test_holds_and_their_outcomes_are_counted_and_logged(
    app: OtaFlask, client: FlaskClient, log_records: list[dict[str, object]]
) -> None:
    confirmed = json_of(hold(client))["hold_id"]
    client.post(f"{HOLDS}/{confirmed}/confirm", headers=AUTH)
    released = json_of(hold(client, "2027-07-01"))["hold_id"]
    client.delete(f"{HOLDS}/{released}", headers=AUTH)
    expired = json_of(hold(client, "2027-08-01"))["hold_id"]
    _later(app, TTL)
    client.post(f"{HOLDS}/{expired}/confirm", headers=AUTH)

    text = client.get("/metrics").get_data(as_text=True)

    for outcome, count in (("placed", 3), ("confirmed", 1), ("released", 1), ("expired", 1)):
        assert f'ota_holds_total{{outcome="{outcome}"}} {count}.0' in text
    events = [record.get("event") for record in log_records]
    assert events.count("hold placed") == 3
    assert {"hold confirmed", "hold released", "confirmation of an expired hold refused"} <= set(
        events
    )
