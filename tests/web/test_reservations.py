"""POST, GET and DELETE /api/v1/reservations."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from flask.testing import FlaskClient

from tests.web.support import (
    AUTH,
    EACH_STORAGE,
    RESERVATIONS,
    fields_at_fault,
    json_of,
    problem,
    reserve,
)

FIRST_ID = str(uuid.UUID(int=1))


@pytest.fixture(params=EACH_STORAGE)
def storage_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


def test_a_reservation_is_made_and_can_be_read_back(client: FlaskClient) -> None:
    response = reserve(client, "g3hbWxJ5TdXidt", "2027-06-01", 3)

    assert response.status_code == 200
    made = json_of(response)
    assert made == {
        "reservation_id": FIRST_ID,
        "property_id": "g3hbWxJ5TdXidt",
        "start_date": "2027-06-01",
        "end_date": "2027-06-04",
        "nights": 3,
        "status": "confirmed",
    }
    assert response.headers.getlist("Location") == [f"{RESERVATIONS}/{FIRST_ID}"]
    assert json_of(client.get(response.headers["Location"], headers=AUTH)) == made


def test_overlapping_nights_are_a_409(client: FlaskClient) -> None:
    reserve(client, "g3hbWxJ5TdXidt", "2027-06-01", 3)

    problem(reserve(client, "g3hbWxJ5TdXidt", "2027-06-03", 2), 409, "dates_unavailable")


def test_a_stay_starting_on_the_checkout_day_is_accepted(client: FlaskClient) -> None:
    reserve(client, "g3hbWxJ5TdXidt", "2027-06-01", 3)

    assert reserve(client, "g3hbWxJ5TdXidt", "2027-06-04", 2).status_code == 200


def test_cancelling_frees_the_nights(client: FlaskClient) -> None:
    location = reserve(client, "g3hbWxJ5TdXidt", "2027-06-01", 3).headers["Location"]

    assert client.delete(location, headers=AUTH).status_code == 204

    assert json_of(client.get(location, headers=AUTH))["status"] == "cancelled"
    assert reserve(client, "g3hbWxJ5TdXidt", "2027-06-02", 1).status_code == 200


def test_cancelling_twice_is_harmless(client: FlaskClient) -> None:
    location = reserve(client).headers["Location"]
    client.delete(location, headers=AUTH)

    assert client.delete(location, headers=AUTH).status_code == 204


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize(
    "reservation_id", [str(uuid.UUID(int=99)), "not-a-uuid", "1" * 40, "%00", "%FF"]
)
def test_an_unknown_or_malformed_reservation_id_is_a_404(
    client: FlaskClient, method: str, reservation_id: str
) -> None:
    response = client.open(f"{RESERVATIONS}/{reservation_id}", method=method, headers=AUTH)
    problem(response, 404)


def _post(client: FlaskClient, data: bytes | str, content_type: str = "application/json") -> object:
    return client.post(RESERVATIONS, data=data, content_type=content_type, headers=AUTH)


def _body(**changes: object) -> str:
    body: dict[str, object] = {
        "property_id": "g3hbWxJ5TdXidt",
        "start_date": "2027-06-01",
        "nights": 3,
    }
    body.update(changes)
    return json.dumps({k: v for k, v in body.items() if v is not ...})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_body(nights="3"), "nights"),
        (_body(nights=True), "nights"),
        (_body(nights=3.0), "nights"),
        (_body(nights=None), "nights"),
        (_body(nights=...), "nights"),
        (_body(nights=0), "nights"),
        (_body(nights=366), "nights"),
        (_body(nights=10**40), "nights"),
        (_body(nights=-(10**40)), "nights"),
        (_body(start_date="2027-02-30"), "start_date"),
        (_body(start_date="2027-06-01T00:00:00"), "start_date"),
        (_body(start_date=20270601), "start_date"),
        (_body(start_date="2020-01-01"), "start_date"),
        (_body(start_date="2035-01-01"), "start_date"),
        (_body(start_date="9999-12-31"), "nights"),
        (_body(start_date="0001-01-01"), "start_date"),
        (_body(property_id="nowhere"), "property_id"),
        (_body(property_id=""), "property_id"),
        (_body(property_id=7), "property_id"),
        (_body(property_id="g3hb\u0000WxJ5"), "property_id"),
        (_body(property_id="g3hb WxJ5"), "property_id"),
        (_body(property_id=...), "property_id"),
        (_body(guests=2), "guests"),
        ("[1, 2]", "body"),
        ("", "body"),
        ("{", "body"),
        ("null", "body"),
        (b"\xff\xfe{}", "body"),
        (b'{"property_id": "\x00"}', "body"),
    ],
)
def test_an_invalid_body_is_a_400_naming_the_field(
    client: FlaskClient, data: str | bytes, field: str
) -> None:
    assert field in fields_at_fault(_post(client, data))  # type: ignore[arg-type]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_body_that_is_not_declared_json_is_a_400(client: FlaskClient, content_type: str) -> None:
    assert fields_at_fault(_post(client, _body(), content_type)) == {"Content-Type"}  # type: ignore[arg-type]


def test_json_with_a_charset_parameter_is_accepted(client: FlaskClient) -> None:
    response = _post(client, _body(), "application/json; charset=utf-8")
    assert response.status_code == 200  # type: ignore[attr-defined]


def test_a_body_over_16_kib_is_a_413(client: FlaskClient) -> None:
    problem(_post(client, _body(property_id="x" * 20_000)), 413, "request_entity_too_large")  # type: ignore[arg-type]


def test_a_body_streamed_past_16_kib_without_a_length_is_a_413_not_cut_short(
    client: FlaskClient,
) -> None:
    # Chunked, as gunicorn passes it on: no Content-Length, the server ends the stream.
    # Cut at 16 KiB, this one would be valid JSON (the booking, then spaces).
    streamed = _body().encode() + b" " * 20_000
    response = client.post(
        RESERVATIONS,
        input_stream=io.BytesIO(streamed),
        content_type="application/json",
        headers=AUTH | {"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )

    problem(response, 413, "request_entity_too_large")


class MalformedChunks(io.RawIOBase):
    """A body the WSGI server fails to parse while the app reads it (gunicorn: a bad chunk size)."""

    def readable(self) -> bool:
        return True

    def readinto(self, _buffer: object) -> int:
        raise RuntimeError("Invalid chunk size: zz")


def test_a_body_the_server_cannot_parse_is_a_400(client: FlaskClient) -> None:
    response = client.post(
        RESERVATIONS,
        content_type="application/json",
        headers=AUTH | {"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input": MalformedChunks(), "wsgi.input_terminated": True},
    )

    assert fields_at_fault(response) == {"body"}


def test_a_body_shorter_than_its_content_length_is_a_400(client: FlaskClient) -> None:
    # The client stopped sending (or the connection broke) before the declared end.
    sent = _body().encode()
    response = client.post(
        RESERVATIONS,
        input_stream=io.BytesIO(sent),
        content_type="application/json",
        headers=AUTH,
        environ_overrides={"CONTENT_LENGTH": str(len(sent) + 10)},
    )

    errors = problem(response, 400)["errors"]
    assert errors == [{"field": "body", "message": "is shorter than its Content-Length"}]


@pytest.mark.parametrize("framing", ["declared", "chunked"])
def test_a_body_of_exactly_16_kib_is_read(client: FlaskClient, framing: str) -> None:
    sent = _body().encode()
    sent += b" " * (16 * 1024 - len(sent))
    chunked = framing == "chunked"
    response = client.post(
        RESERVATIONS,
        input_stream=io.BytesIO(sent),
        content_type="application/json",
        headers=AUTH | ({"Transfer-Encoding": "chunked"} if chunked else {}),
        environ_overrides={"wsgi.input_terminated": True}
        if chunked
        else {"CONTENT_LENGTH": str(len(sent))},
    )

    assert response.status_code == 200


def test_the_same_idempotency_key_and_body_return_the_first_reservation(
    client: FlaskClient,
) -> None:
    key = {"Idempotency-Key": "booking-42"}
    first = reserve(client, headers=key)
    again = reserve(client, headers=key)

    assert first.status_code == again.status_code == 200
    assert json_of(again) == json_of(first)
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    unkeyed = reserve(client)
    problem(unkeyed, 409, "dates_unavailable")


def test_the_same_idempotency_key_with_another_body_is_a_422(client: FlaskClient) -> None:
    key = {"Idempotency-Key": "booking-42"}
    reserve(client, "g3hbWxJ5TdXidt", "2027-06-01", 3, headers=key)

    response = reserve(client, "g3hbWxJ5TdXidt", "2027-07-01", 3, headers=key)

    problem(response, 422, "idempotency_key_reused")


@pytest.mark.parametrize("key", ["", "k" * 256, "a\tb"])
def test_a_malformed_idempotency_key_is_a_400(client: FlaskClient, key: str) -> None:
    assert fields_at_fault(reserve(client, headers={"Idempotency-Key": key})) == {"Idempotency-Key"}
