"""JSON responses and the `Location` they carry."""

from __future__ import annotations

from werkzeug.test import Client

from ota_web.api.parsing import json_response
from ota_web.schemas import Status


def test_a_location_goes_out_once_and_as_given() -> None:
    response = json_response(Status(status="ok"), location="/api/v1/reservations/a-b_c.d~e")

    sent = Client(response).get("/")

    assert sent.headers.getlist("Location") == ["/api/v1/reservations/a-b_c.d~e"]
    assert sent.json == {"status": "ok"}
