"""GET /api/v1/properties/available."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.web.support import (
    EACH_STORAGE,
    FREE_2021_01_04_FOR_3,
    fields_at_fault,
    json_of,
    problem,
    reserve,
    search,
)


@pytest.fixture(params=EACH_STORAGE)
def storage_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


def _ids(body: dict[str, object]) -> list[str]:
    return [p["property_id"] for p in body["properties"]]  # type: ignore[attr-defined, index]


def test_search_lists_the_free_properties_in_id_order(client: FlaskClient) -> None:
    response = search(client, "start_date=2021-01-04&nights=3")

    body = json_of(response)
    assert response.status_code == 200
    assert _ids(body) == FREE_2021_01_04_FOR_3
    assert body["next"] is None
    assert body["properties"][0] == {
        "property_id": "1BlCOXqGH2MZb2",
        "description": "Two bedroom condo, walk to restaurants",
    }


def test_a_booked_property_drops_out_of_the_results(client: FlaskClient) -> None:
    assert reserve(client, "g3hbWxJ5TdXidt", "2027-06-01", 3).status_code == 200

    overlapping = json_of(search(client, "start_date=2027-06-03&nights=1"))
    after_checkout = json_of(search(client, "start_date=2027-06-04&nights=1"))

    assert "g3hbWxJ5TdXidt" not in _ids(overlapping)
    assert "g3hbWxJ5TdXidt" in _ids(after_checkout)


def test_walking_every_page_gives_the_one_big_page(client: FlaskClient) -> None:
    everything = _ids(json_of(search(client, "start_date=2021-01-04&nights=3&limit=1000")))
    walked: list[str] = []
    cursor = ""
    for _ in range(len(everything) + 1):
        page = json_of(search(client, f"start_date=2021-01-04&nights=3&limit=2{cursor}"))
        walked += _ids(page)
        if page["next"] is None:
            break
        cursor = f"&after={page['next']}"
    assert walked == everything == FREE_2021_01_04_FOR_3


def test_no_free_property_on_the_first_page_is_a_404(client: FlaskClient) -> None:
    for property_id in [*FREE_2021_01_04_FOR_3, "xE6vqTqA6LTwpE", "ApkY2fkDHhlsVY"]:
        assert reserve(client, property_id, "2027-06-01", 5).status_code == 200

    response = search(client, "start_date=2027-06-02&nights=1")

    problem(response, 404, "no_property_available")


def test_an_empty_later_page_is_a_200_with_no_properties(client: FlaskClient) -> None:
    response = search(client, "start_date=2021-01-04&nights=3&after=zzzz")

    assert response.status_code == 200
    assert json_of(response) == {"properties": [], "next": None}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("nights=3", "start_date"),
        ("start_date=2021-01-04", "nights"),
        ("start_date=04/01/2021&nights=3", "start_date"),
        ("start_date=2021-02-30&nights=3", "start_date"),
        ("start_date=20210104&nights=3", "start_date"),
        ("start_date=1609459200&nights=3", "start_date"),
        ("start_date=2021-01-04T00:00&nights=3", "start_date"),
        ("start_date=2021-01-04%00&nights=3", "start_date"),
        ("start_date=2021-01-04&nights=three", "nights"),
        ("start_date=2021-01-04&nights=3.0", "nights"),
        ("start_date=2021-01-04&nights=%2B3", "nights"),
        ("start_date=2021-01-04&nights=", "nights"),
        ("start_date=2021-01-04&nights=0", "nights"),
        ("start_date=2021-01-04&nights=-1", "nights"),
        ("start_date=2021-01-04&nights=366", "nights"),
        ("start_date=2021-01-04&nights=99999999999999999999999999", "nights"),
        ("start_date=9999-12-31&nights=3", "nights"),
        ("start_date=2021-01-04&nights=3&limit=0", "limit"),
        ("start_date=2021-01-04&nights=3&limit=1001", "limit"),
        ("start_date=2021-01-04&nights=3&limit=ten", "limit"),
        ("start_date=2021-01-04&nights=3&after=", "after"),
        ("start_date=2021-01-04&nights=3&after=a%00b", "after"),
        ("start_date=2021-01-04&nights=3&after=" + "x" * 65, "after"),
        ("start_date=2021-01-04&nights=3&nights=4", "nights"),
        ("start_date=2021-01-04&nights=3&color=blue", "color"),
        ("start_date=%FF%FE&nights=3", "start_date"),
    ],
)
def test_a_malformed_or_refused_query_is_a_400_naming_the_field(
    client: FlaskClient, query: str, field: str
) -> None:
    assert field in fields_at_fault(search(client, query))


def test_the_first_and_last_dates_of_the_calendar_are_answered_without_error(
    client: FlaskClient,
) -> None:
    assert search(client, "start_date=0001-01-01&nights=1").status_code == 200
    assert search(client, "start_date=9999-12-30&nights=1").status_code == 200
    problem(search(client, "start_date=9999-12-31&nights=1"), 400, "invalid_stay")
