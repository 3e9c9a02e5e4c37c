"""Each principal's reservations and idempotency keys are theirs alone, over HTTP."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ota_adapters.ids import legacy_reservation_id
from ota_web.app import OtaFlask
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

OTHER = {"Authorization": f"Bearer {a_token()}"}


@pytest.fixture(params=EACH_STORAGE)
def storage_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


def _booked(client: FlaskClient, headers: dict[str, str] = AUTH, **stay: Any) -> dict[str, Any]:
    response = reserve(client, headers=headers, **stay)
    assert response.status_code == 200, response.get_data(as_text=True)
    made: dict[str, Any] = json_of(response)
    return made


def _same_problem(first: TestResponse, second: TestResponse) -> None:
    """Two answers alike but for the request id (and the id the detail names)."""
    one, two = problem(first, 404), problem(second, 404)
    assert {k: v for k, v in one.items() if k not in {"request_id", "detail"}} == {
        k: v for k, v in two.items() if k not in {"request_id", "detail"}
    }


def test_someone_elses_reservation_is_a_404_like_an_unknown_id(client: FlaskClient) -> None:
    mine = _booked(client)
    url = f"{RESERVATIONS}/{mine['reservation_id']}"
    unknown = f"{RESERVATIONS}/{uuid.uuid4()}"

    read, cancel = client.get(url, headers=OTHER), client.delete(url, headers=OTHER)

    _same_problem(read, client.get(unknown, headers=OTHER))
    _same_problem(cancel, client.delete(unknown, headers=OTHER))
    assert problem(read, 404)["detail"] == f"no reservation has id {mine['reservation_id']}"
    assert json_of(client.get(url, headers=AUTH))["status"] == "confirmed"
    # Nor can they book its nights, which are still taken.
    problem(reserve(client, headers=OTHER), 409, "dates_unavailable")


def test_a_reservation_is_read_under_its_property_and_no_other(client: FlaskClient) -> None:
    mine = _booked(client)
    other = _booked(client, headers=OTHER, start_date="2027-07-01")
    under = "/api/v1/properties/{}/reservations/{}"

    found = client.get(under.format(mine["property_id"], mine["reservation_id"]), headers=AUTH)

    assert json_of(found) == json_of(client.get(f"{RESERVATIONS}/{mine['reservation_id']}",
                                                headers=AUTH))  # fmt: skip
    elsewhere = under.format("another", mine["reservation_id"])
    unknown = under.format(mine["property_id"], uuid.uuid4())
    _same_problem(client.get(elsewhere, headers=AUTH), client.get(unknown, headers=AUTH))
    problem(client.get(under.format(other["property_id"], other["reservation_id"]),
                       headers=AUTH), 404)  # fmt: skip
    bad = client.get(under.format("a%1Fb", mine["reservation_id"]), headers=AUTH)
    assert fields_at_fault(bad) == {"property_id"}


def test_the_token_in_upper_case_is_the_same_principal(client: FlaskClient) -> None:
    token = a_token()
    mine = _booked(client, {"Authorization": f"Bearer {token}"})
    upper = {"Authorization": f"Bearer {token.upper()}"}
    assert client.get(f"{RESERVATIONS}/{mine['reservation_id']}", headers=upper).status_code == 200


def test_a_legacy_reservation_is_nobodys(client: FlaskClient) -> None:
    legacy = legacy_reservation_id("xE6vqTqA6LTwpE", dt.date(2021, 1, 4), 7)
    problem(client.get(f"{RESERVATIONS}/{legacy}", headers=AUTH), 404, "reservation_not_found")
    problem(client.delete(f"{RESERVATIONS}/{legacy}", headers=AUTH), 404)


def test_a_key_sent_by_someone_else_is_another_key(client: FlaskClient) -> None:
    key = {"Idempotency-Key": "booking-1"}
    mine = _booked(client, AUTH | key)

    same_body = reserve(client, headers=OTHER | key)
    other_body = reserve(client, start_date="2027-07-01", headers=OTHER | key)

    problem(same_body, 409, "dates_unavailable")  # never A's reservation
    assert "Idempotent-Replayed" not in other_body.headers  # nor a 422: a new booking
    assert json_of(other_body)["reservation_id"] != mine["reservation_id"]
    again = reserve(client, headers=AUTH | key)
    assert json_of(again) == mine
    assert again.headers["Idempotent-Replayed"] == "true"


def test_each_list_holds_its_principals_reservations_only(client: FlaskClient) -> None:
    mine = [_booked(client, start_date=d) for d in ("2027-06-10", "2027-06-01")]
    theirs = _booked(client, OTHER, start_date="2027-07-01")

    assert json_of(client.get(RESERVATIONS, headers=AUTH)) == {
        "reservations": sorted(mine, key=lambda r: r["start_date"]),
        "next": None,
    }
    assert json_of(client.get(RESERVATIONS, headers=OTHER))["reservations"] == [theirs]
    problem(client.get(RESERVATIONS), 401, "unauthorized")


def test_a_list_is_read_page_by_page_with_filters(client: FlaskClient) -> None:
    booked = [_booked(client, start_date=f"2027-06-{day:02}", nights=1) for day in range(1, 8)]
    client.delete(f"{RESERVATIONS}/{booked[2]['reservation_id']}", headers=AUTH)
    found, query = [], "limit=2&status=confirmed&from=2027-06-02&to=2027-06-07"
    while True:
        page = json_of(client.get(f"{RESERVATIONS}?{query}", headers=AUTH))
        assert len(page["reservations"]) <= 2
        found += [r["start_date"] for r in page["reservations"]]
        if page["next"] is None:
            break
        query = f"limit=2&status=confirmed&from=2027-06-02&to=2027-06-07&after={page['next']}"
    assert found == ["2027-06-02", "2027-06-04", "2027-06-05", "2027-06-06"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("after=garbage", "after"),
        ("after=MjAyNy0wNi0wMV9ub3QtYS11dWlk", "after"),  # 2027-06-01_not-a-uuid
        ("status=pending", "status"),
        ("from=2027-02-30", "from"),
        ("from=2027-06-05&to=2027-06-05", "to"),
        ("sort=start", "sort"),
        ("limit=1&limit=2", "limit"),
    ],
)
def test_a_bad_list_query_is_a_400_naming_the_parameter(
    client: FlaskClient, query: str, field: str
) -> None:
    assert fields_at_fault(client.get(f"{RESERVATIONS}?{query}", headers=AUTH)) == {field}


def test_a_stay_that_has_begun_is_not_cancelled(app: OtaFlask, client: FlaskClient) -> None:
    made = _booked(client, start_date="2026-11-26", nights=3)
    app.container.clock().advance(dt.timedelta(days=1))  # 2026-11-26 12:00 UTC
    url = f"{RESERVATIONS}/{made['reservation_id']}"

    problem(client.delete(url, headers=AUTH), 409, "stay_already_begun")
    assert json_of(client.get(url, headers=AUTH))["status"] == "confirmed"


def test_a_retry_after_the_start_date_passed_is_answered(
    app: OtaFlask, client: FlaskClient
) -> None:
    # Booked for a stay starting "yesterday" at 11:00, retried at 13:00 (UTC).
    app.container.clock().advance(dt.timedelta(hours=11))  # 2026-11-25 23:00
    key = AUTH | {"Idempotency-Key": "late-retry"}
    made = _booked(client, key, start_date="2026-11-25", nights=2)
    app.container.clock().advance(dt.timedelta(hours=14))  # 2026-11-26 13:00

    again = reserve(client, start_date="2026-11-25", nights=2, headers=key)

    assert again.status_code == 200, again.get_data(as_text=True)
    assert json_of(again) == made
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_repeated_body_member_is_a_400_naming_it(client: FlaskClient) -> None:
    body = b'{"property_id": "g3hbWxJ5TdXidt", "start_date": "2027-06-01", "nights": 1000,' \
        b' "nights": 3}'  # fmt: skip
    response = client.post(RESERVATIONS, data=body, content_type="application/json", headers=AUTH)
    assert fields_at_fault(response) == {"nights"}
    assert json_of(client.get(RESERVATIONS, headers=AUTH))["reservations"] == []


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", RESERVATIONS, AUTH),
        ("GET", RESERVATIONS, {}),
        ("GET", f"{RESERVATIONS}/{uuid.uuid4()}", AUTH),
        ("GET", "/api/v1/no-such-route", AUTH),
        ("POST", RESERVATIONS, AUTH),
        ("PUT", RESERVATIONS, AUTH),
    ],
)
def test_api_answers_are_never_cached(
    client: FlaskClient, method: str, path: str, headers: dict[str, str]
) -> None:
    assert client.open(path, method=method, headers=headers).headers["Cache-Control"] == "no-store"
