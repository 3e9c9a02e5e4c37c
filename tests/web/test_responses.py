"""JSON responses and the `Location` they carry."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from ota_web.api.parsing import json_response
from ota_web.schemas import Status


def test_a_location_goes_out_once_and_as_given() -> None:
    response = json_response(Status(status="ok"), location="/api/v1/reservations/a-b_c.d~e")

    sent = Client(response).get("/")

    assert sent.headers.getlist("Location") == ["/api/v1/reservations/a-b_c.d~e"]
    assert sent.json == {"status": "ok"}


@pytest.mark.parametrize(
    "location",
    ["/r\u00e9servations/1", "/a b", "/a?b=1", "/a#b", "/a%20b", "https://ota.example/", "a/b", ""],
)
def test_a_location_with_anything_to_escape_or_resolve_is_refused(location: str) -> None:
    with pytest.raises(ValueError, match="nothing to escape"):
        json_response(Status(status="ok"), location=location)
