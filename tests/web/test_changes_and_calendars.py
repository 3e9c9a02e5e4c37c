"""PATCH /api/v1/reservations/{id} and GET /api/v1/properties/{id}/calendar."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.support import (
    AUTH,
    EACH_STORAGE,
    RESERVATIONS,
    a_token,
    fields_at_fault,
    json_of,
    problem,
    reserve,
)

CONDO = "g3hbWxJ5TdXidt"


@pytest.fixture(params=EACH_STORAGE)
def storage_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


def change(client: FlaskClient, reservation_id: str, **body: object) -> TestResponse:
    return client.patch(f"{RESERVATIONS}/{reservation_id}", json=body, headers=AUTH)


def calendar(client: FlaskClient, property_id: str, query: str) -> TestResponse:
    return client.get(f"/api/v1/properties/{property_id}/calendar?{query}", headers=AUTH)


def test_a_stay_moves_over_its_own_nights(client: FlaskClient) -> None:
    booked = json_of(reserve(client, CONDO, "2027-06-01", 3))["reservation_id"]
    moved = change(client, booked, start_date="2027-06-02")
    assert moved.status_code == 200
    assert json_of(moved) | {"reservation_id": booked} == json_of(moved)
    assert json_of(moved)["start_date"] == "2027-06-02"
    assert json_of(moved)["end_date"] == "2027-06-05"
    assert json_of(client.get(f"{RESERVATIONS}/{booked}", headers=AUTH)) == json_of(moved)
    assert json_of(change(client, booked, nights=1))["end_date"] == "2027-06-03"


def test_a_change_onto_taken_nights_is_a_409_and_changes_nothing(client: FlaskClient) -> None:
    booked = json_of(reserve(client, CONDO, "2027-06-01", 3))
    reserve(client, CONDO, "2027-06-06", 3)
    problem(change(client, booked["reservation_id"], nights=6), 409, "dates_unavailable")
    assert json_of(client.get(f"{RESERVATIONS}/{booked['reservation_id']}", headers=AUTH)) == booked


def test_a_cancelled_reservation_cannot_change(client: FlaskClient) -> None:
    booked = json_of(reserve(client))["reservation_id"]
    client.delete(f"{RESERVATIONS}/{booked}", headers=AUTH)
    problem(change(client, booked, nights=2), 409, "reservation_cancelled")


def test_only_the_owner_changes_a_reservation(client: FlaskClient) -> None:
    booked = json_of(reserve(client))
    other = {"Authorization": f"Bearer {a_token()}"}
    response = client.patch(
        f"{RESERVATIONS}/{booked['reservation_id']}", json={"nights": 2}, headers=other
    )
    problem(response, 404, "reservation_not_found")
    assert json_of(client.get(f"{RESERVATIONS}/{booked['reservation_id']}", headers=AUTH)) == booked


def test_bad_changes_name_the_field(client: FlaskClient) -> None:
    booked = json_of(reserve(client))["reservation_id"]
    assert fields_at_fault(change(client, booked)) == {"body"}
    assert fields_at_fault(change(client, booked, nights="2")) == {"nights"}
    assert fields_at_fault(change(client, booked, start_date="2020-01-01")) == {"start_date"}
    assert fields_at_fault(change(client, booked, stay=3)) == {"stay"}
    problem(change(client, "00000000-0000-0000-0000-00000000ffff", nights=2), 404)


def test_a_calendar_shows_taken_and_free_nights(client: FlaskClient) -> None:
    reserve(client, CONDO, "2027-06-01", 3)
    reserve(client, CONDO, "2027-06-04", 2)
    client.post("/api/v1/holds", json={"property_id": CONDO, "start_date": "2027-06-10",
                                        "nights": 2}, headers=AUTH)  # fmt: skip
    response = calendar(client, CONDO, "from=2027-06-01&to=2027-06-15")
    assert json_of(response) == {
        "property_id": CONDO,
        "window": {"start_date": "2027-06-01", "end_date": "2027-06-15", "nights": 14},
        "taken": [
            {"start_date": "2027-06-01", "end_date": "2027-06-06", "nights": 5},
            {"start_date": "2027-06-10", "end_date": "2027-06-12", "nights": 2},
        ],
        "free": [
            {"start_date": "2027-06-06", "end_date": "2027-06-10", "nights": 4},
            {"start_date": "2027-06-12", "end_date": "2027-06-15", "nights": 3},
        ],
    }


def test_a_calendar_of_an_unknown_property_is_a_404(client: FlaskClient) -> None:
    problem(calendar(client, "nowhere", "from=2027-06-01&to=2027-06-15"), 404, "property_not_found")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2027-06-01", "to"),
        ("from=2027-06-01&to=2027-06-01", "to"),
        ("from=2027-06-01&to=2028-06-02", "to"),
        ("from=2027-13-01&to=2027-06-02", "from"),
        ("from=2027-06-01&to=2027-06-02&extra=1", "extra"),
    ],
)
def test_a_bad_window_is_a_400_naming_the_field(
    client: FlaskClient, query: str, field: str
) -> None:
    assert fields_at_fault(calendar(client, CONDO, query)) == {field}
