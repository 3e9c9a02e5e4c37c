"""Request ids, one log line per request, domain events and metrics."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from loguru import logger

from ota_web.logging import configure_logging
from tests.web.support import AUTH, TOKEN, a_token, reserve, search

Records = list[dict[str, Any]]


def _request_lines(records: Records) -> Records:
    return [r for r in records if r["message"] == "request"]


def test_a_valid_incoming_request_id_is_kept_and_returned(client: FlaskClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "trace-0042"})
    assert response.headers["X-Request-ID"] == "trace-0042"


@pytest.mark.parametrize("sent", ["", "has space", "x" * 129, "caf\u00e9", "a\tb"])
def test_an_invalid_request_id_is_replaced_by_a_new_one(client: FlaskClient, sent: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": sent})

    returned = response.headers["X-Request-ID"]
    assert returned != sent
    assert len(returned) == 32


def test_each_request_gets_its_own_id(client: FlaskClient) -> None:
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_each_request_logs_one_line_with_route_status_and_duration(
    client: FlaskClient, log_records: Records
) -> None:
    search(client, "start_date=2021-01-04&nights=3", headers=AUTH | {"X-Request-ID": "req-1"})
    client.get("/api/v1/reservations/not-a-uuid", headers=AUTH | {"X-Request-ID": "req-2"})

    first, second = _request_lines(log_records)
    assert first["request_id"] == "req-1"
    assert first["method"] == "GET"
    assert first["route"] == "/api/v1/properties/available"
    assert first["status"] == 200
    assert first["duration_ms"] >= 0
    assert second["route"] == "<unmatched>"
    assert second["status"] == 404


def test_the_token_is_never_logged_whole(client: FlaskClient, log_records: Records) -> None:
    token = a_token()
    search(
        client,
        f"start_date=2021-01-04&nights=3&access_token={token}",
        headers={"X-Request-ID": "req-1"},
    )
    client.get("/api/v1/reservations/x", headers={"Authorization": f"Bearer {token}"})
    reserve(client, headers={"Authorization": f"Bearer {token}"})

    assert log_records
    for record in log_records:
        assert token not in json.dumps(record, default=str)
    assert {r["token"] for r in _request_lines(log_records)} == {token[:8]}


@pytest.mark.parametrize("token", [a_token()[:-1], a_token() + "0", a_token().replace("-", "")])
def test_a_refused_token_is_not_logged_at_all(
    client: FlaskClient, log_records: Records, token: str
) -> None:
    search(client, f"start_date=2021-01-04&nights=3&access_token={token}", headers={})
    reserve(client, headers={"Authorization": f"Bearer {token}"})

    requests = _request_lines(log_records)
    assert [r["status"] for r in requests] == [401, 401]
    assert {r["token"] for r in requests} == {None}
    for record in log_records:
        assert token[:8] not in json.dumps(record, default=str)


def test_every_line_of_a_request_carries_its_id(client: FlaskClient, log_records: Records) -> None:
    reserve(client, headers={"X-Request-ID": "req-9"})
    reserve(client, headers={"X-Request-ID": "req-10"})

    assert [(r["message"], r["request_id"]) for r in log_records] == [
        ("reservation made", "req-9"),
        ("request", "req-9"),
        (
            "booking conflict: property g3hbWxJ5TdXidt is not free for [2027-06-01, 2027-06-04)",
            "req-10",
        ),
        ("request", "req-10"),
    ]


def test_domain_events_are_logged_with_their_ids(client: FlaskClient, log_records: Records) -> None:
    location = reserve(client).headers["Location"]
    client.delete(location, headers=AUTH)

    made, cancelled = (r for r in log_records if r["message"].startswith("reservation"))
    assert made["message"] == "reservation made"
    assert cancelled["message"] == "reservation cancelled"
    for event in (made, cancelled):
        assert location.endswith(event["reservation_id"])
        assert event["property_id"] == "g3hbWxJ5TdXidt"


def test_json_logs_are_one_object_per_line() -> None:
    stream = io.StringIO()
    configure_logging("json", "INFO", stream=stream)
    try:
        with logger.contextualize(request_id="r-1"):
            logger.info("request", status=200, token=TOKEN[:8])
            try:
                1 / 0  # noqa: B018
            except ZeroDivisionError:
                logger.exception("failed")
    finally:
        configure_logging("text", "INFO")

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "request"
    assert first["request_id"] == "r-1"
    assert first["status"] == 200
    assert "ZeroDivisionError" in second["traceback"]


def test_metrics_count_requests_by_route_and_status_and_bookings(client: FlaskClient) -> None:
    search(client, "start_date=2021-01-04&nights=3")
    reserve(client)
    reserve(client)

    text = client.get("/metrics").get_data(as_text=True)

    assert (
        'ota_http_requests_total{method="GET",route="/api/v1/properties/available",status="200"}'
        " 1.0" in text
    )
    assert (
        'ota_http_requests_total{method="POST",route="/api/v1/reservations",status="409"} 1.0'
        in text
    )
    assert "ota_http_request_duration_seconds_bucket{" in text
    assert "ota_reservations_made_total 1.0" in text
    assert "ota_booking_conflicts_total 1.0" in text


def test_a_replayed_booking_is_counted_as_a_replay_not_a_new_reservation(
    client: FlaskClient,
) -> None:
    key = {"Idempotency-Key": "replayed-once"}
    reserve(client, headers=key)
    reserve(client, headers=key)

    text = client.get("/metrics").get_data(as_text=True)

    assert "ota_reservations_made_total 1.0" in text
    assert "ota_booking_replays_total 1.0" in text
