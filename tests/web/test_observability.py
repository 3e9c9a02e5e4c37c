"""Request ids, one log line per request, domain events and metrics."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask.testing import FlaskClient
from loguru import logger

from ota_core import DateRange, Reservation, ReservationId
from ota_web.events import DomainEvents
from ota_web.logging import configure_logging, new_request_id
from ota_web.metrics import Metrics
from ota_web.telemetry import RequestTelemetry
from tests.processes import in_forked_child
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


def test_a_forked_worker_draws_request_ids_of_its_own() -> None:
    theirs = in_forked_child(lambda: new_request_id().encode()).decode()

    assert len(theirs) == 32
    assert theirs != new_request_id()


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
    unknown = f"/api/v1/reservations/{uuid.UUID(int=1)}"
    client.get(unknown, headers={"Authorization": f"Bearer {token}"})
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


def test_a_request_is_one_line_that_tells_what_it_did(
    client: FlaskClient, log_records: Records
) -> None:
    reserve(client, headers={"X-Request-ID": "req-9"})
    reserve(client, headers={"X-Request-ID": "req-10"})

    made, refused = log_records
    assert (made["message"], made["request_id"], made["status"]) == ("request", "req-9", 200)
    assert made["event"] == "reservation made"
    assert (made["property_id"], made["start_date"], made["nights"]) == (
        "g3hbWxJ5TdXidt",
        "2027-06-01",
        3,
    )
    assert (refused["message"], refused["request_id"], refused["status"]) == (
        "request",
        "req-10",
        409,
    )
    assert refused["event"] == "booking conflict"
    assert refused["code"] == "dates_unavailable"
    assert refused["reason"] == "property g3hbWxJ5TdXidt is not free for [2027-06-01, 2027-06-04)"


def test_a_line_of_its_own_during_a_request_carries_the_request_id(
    client: FlaskClient, log_records: Records
) -> None:
    def note() -> None:
        logger.warning("something worth a line")

    client.application.before_request(note)
    client.get("/healthz", headers={"X-Request-ID": "req-11"})
    logger.warning("outside any request")

    assert [(r["message"], r.get("request_id")) for r in log_records] == [
        ("something worth a line", "req-11"),
        ("request", "req-11"),
        ("outside any request", None),
    ]


def test_a_sink_added_to_loguru_gets_the_request_line_with_the_request_id_in_extra(
    client: FlaskClient,
) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def keep(message: Any) -> None:
        seen.append((message.record["message"], message.record["extra"]))

    sink = logger.add(keep, level="INFO")
    try:
        search(client, "start_date=2021-01-04&nights=3", headers=AUTH | {"X-Request-ID": "req-18"})
    finally:
        logger.remove(sink)

    ((message, extra),) = seen
    assert message == "request"
    assert extra["request_id"] == "req-18"
    assert (extra["route"], extra["status"]) == ("/api/v1/properties/available", 200)


def test_domain_events_are_logged_with_their_ids(client: FlaskClient, log_records: Records) -> None:
    location = reserve(client).headers["Location"]
    client.delete(location, headers=AUTH)

    made, cancelled = (r for r in log_records if "event" in r)
    assert made["event"] == "reservation made"
    assert cancelled["event"] == "reservation cancelled"
    for event in (made, cancelled):
        assert event["message"] == "request"
        assert location.endswith(event["reservation_id"])
        assert event["property_id"] == "g3hbWxJ5TdXidt"


def test_an_event_outside_a_request_is_a_line_of_its_own(log_records: Records) -> None:
    stay = Reservation(
        ReservationId(uuid.UUID(int=7)),
        "g3hbWxJ5TdXidt",
        DateRange.from_nights(dt.date(2027, 6, 1), 2),
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )

    DomainEvents(Metrics()).reservation_cancelled(stay)

    (line,) = log_records
    assert line["message"] == "reservation cancelled"
    assert line["reservation_id"] == str(uuid.UUID(int=7))
    assert "request_id" not in line


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


def _answer_204(_environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("204 No Content", [])
    return []


def _telemetry_request(request_id: str) -> None:
    telemetry = RequestTelemetry(_answer_204, Metrics(), pool_usage=None)
    telemetry({"REQUEST_METHOD": "DELETE", "HTTP_X_REQUEST_ID": request_id}, lambda *_: None)


@pytest.fixture
def json_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("json", "INFO", stream=stream)
    yield stream
    configure_logging("text", "INFO")


def test_the_request_line_has_the_shape_of_every_other_json_line(json_stream: io.StringIO) -> None:
    _telemetry_request("req-14")
    with logger.contextualize(request_id="req-15"):
        logger.info("not a request")

    request_line, other = (json.loads(line) for line in json_stream.getvalue().splitlines())
    assert list(request_line)[:4] == list(other)[:4] == ["time", "level", "message", "request_id"]
    assert (request_line["level"], request_line["message"]) == ("INFO", "request")
    assert (request_line["request_id"], request_line["status"]) == ("req-14", 204)
    assert dt.datetime.fromisoformat(request_line["time"]).tzinfo == dt.UTC


def test_json_lines_write_values_json_has_no_type_for_as_text(json_stream: io.StringIO) -> None:
    moment = dt.datetime(2027, 6, 1, 12, 30, tzinfo=dt.UTC)
    logger.info("values", day=moment.date(), at=moment, id=uuid.UUID(int=3), raw=b"\xff", n=2**70)

    (line,) = (json.loads(text) for text in json_stream.getvalue().splitlines())
    assert line["day"] == "2027-06-01"
    assert dt.datetime.fromisoformat(line["at"]) == moment
    assert line["id"] == str(uuid.UUID(int=3))
    assert line["raw"] == "b'\\xff'"  # bytes that are not UTF-8 still get their line
    assert line["n"] == 2**70


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (dt.datetime(2027, 6, 1, 12, 30, 5, 123999, tzinfo=dt.UTC), "2027-06-01T12:30:05.123Z"),
        (dt.datetime(2027, 6, 1, 12, 30, 5, 999999, tzinfo=dt.UTC), "2027-06-01T12:30:05.999Z"),
        (
            dt.datetime(2027, 6, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2027-06-01T12:30:00.000Z",
        ),
    ],
)
def test_json_lines_are_timed_in_utc_to_the_millisecond(
    json_stream: io.StringIO, moment: dt.datetime, written: str
) -> None:
    logger.patch(lambda record: record.update(time=moment)).info("at")

    (line,) = (json.loads(text) for text in json_stream.getvalue().splitlines())
    assert line["time"] == written


@pytest.mark.parametrize(("level", "written"), [("DEBUG", 1), ("INFO", 1), ("WARNING", 0)])
def test_request_lines_follow_the_log_level(level: str, written: int) -> None:
    stream = io.StringIO()
    configure_logging("json", level, stream=stream)
    try:
        _telemetry_request("req-16")
    finally:
        configure_logging("text", "INFO")

    assert len(stream.getvalue().splitlines()) == written


class HalvingStream(io.StringIO):
    """Takes each write in two halves and lets other threads run in between, like a pipe may."""

    def write(self, text: str) -> int:
        middle = len(text) // 2
        super().write(text[:middle])
        time.sleep(0)
        return super().write(text[middle:]) + middle


def test_request_lines_of_many_threads_never_interleave() -> None:
    stream = HalvingStream()
    configure_logging("json", "INFO", stream=stream)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(_telemetry_request, (f"req-{n}-" + "x" * 100 for n in range(400))))
    finally:
        configure_logging("text", "INFO")

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len({line["request_id"] for line in lines}) == 400


def test_a_stream_that_cannot_be_written_does_not_fail_the_request() -> None:
    stream = io.StringIO()
    configure_logging("json", "INFO", stream=stream)
    stream.close()
    try:
        _telemetry_request("req-17")
    finally:
        configure_logging("text", "INFO")


def test_metrics_count_requests_by_route_and_status_and_bookings(client: FlaskClient) -> None:
    search(client, "start_date=2021-01-04&nights=3")
    reserve(client)
    reserve(client)

    text = client.get("/metrics").get_data(as_text=True)

    assert (
        "ota_http_request_duration_seconds_count"
        '{method="GET",route="/api/v1/properties/available",status="200"} 1.0' in text
    )
    assert (
        "ota_http_request_duration_seconds_count"
        '{method="POST",route="/api/v1/reservations",status="409"} 1.0' in text
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


def _failing_app(_environ: dict[str, Any], _start_response: Any) -> list[bytes]:
    logger.warning("about to break")
    raise RuntimeError("the app broke before answering")


def test_a_request_the_app_fails_to_answer_is_still_logged_and_counted(
    log_records: Records,
) -> None:
    metrics = Metrics()
    telemetry = RequestTelemetry(_failing_app, metrics, pool_usage=None)
    environ = {"REQUEST_METHOD": "GET", "HTTP_X_REQUEST_ID": "req-12"}

    with pytest.raises(RuntimeError, match="broke"):
        telemetry(environ, lambda *_: None)
    logger.warning("after the request")

    warning, line, after = log_records
    assert (warning["message"], warning["request_id"]) == ("about to break", "req-12")
    assert (line["request_id"], line["status"], line["route"]) == ("req-12", 500, "<unmatched>")
    assert "request_id" not in after, "unbound once the request is over"
    labels = {"method": "GET", "route": "<unmatched>", "status": "500"}
    assert metrics.registry.get_sample_value("ota_http_request_duration_seconds_count", labels) == 1


def test_the_request_id_is_added_to_the_headers_the_app_starts_its_response_with() -> None:
    def app(_environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("204 No Content", [("Content-Length", "0")])
        return []

    started: list[tuple[str, list[tuple[str, str]]]] = []
    telemetry = RequestTelemetry(app, Metrics(), pool_usage=None)
    body = telemetry(
        {"REQUEST_METHOD": "DELETE", "HTTP_X_REQUEST_ID": "req-13"},
        lambda status, headers, *_: started.append((status, headers)),
    )

    assert list(body) == []
    assert started == [("204 No Content", [("Content-Length", "0"), ("X-Request-ID", "req-13")])]
