"""Every /api route asks for a UUID access token before it reads anything else."""

from __future__ import annotations

import re
import urllib.parse
import uuid

import pytest
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder, TestResponse

from ota_web.app import OtaFlask
from tests.web.support import TOKEN, build_app, json_of, problem, search


def _api_requests() -> list[tuple[str, str]]:
    """(method, path) for every method of every /api rule of the app, placeholders filled."""
    app = build_app()
    try:
        requests = []
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/api/"):
                continue
            path = re.sub(r"<uuid:\w+>", str(uuid.UUID(int=1)), rule.rule)
            path = path.replace("<property_id>", "g3hbWxJ5TdXidt")
            requests += [(method, path) for method in sorted(rule.methods or ()) if method]
        return requests
    finally:
        app.container.unwire()


API_REQUESTS = _api_requests()


def test_the_api_has_routes_to_protect() -> None:
    assert {path for _, path in API_REQUESTS} >= {
        "/api/v1/properties/available",
        "/api/v1/reservations",
    }


@pytest.mark.parametrize(("method", "path"), API_REQUESTS)
def test_a_request_without_a_token_is_a_401_with_a_bearer_challenge(
    client: FlaskClient, method: str, path: str
) -> None:
    response = client.open(path, method=method, data=b"{not json", content_type="text/plain")

    if method != "HEAD":
        problem(response, 401, "unauthorized")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ota"'


# Empty, not a UUID, or almost one: other spellings of a UUID are not accepted either.
NOT_UUIDS = [
    "", "not-a-uuid", f"{TOKEN}x", TOKEN[:-1], f"{TOKEN[:-1]}g", TOKEN.replace("-", ""),
    TOKEN.replace("-", "_"), f"{{{TOKEN}}}", f"urn:uuid:{TOKEN}",
]  # fmt: skip


def _invalid_token_challenge(response: TestResponse) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ota", error="invalid_token"'


@pytest.mark.parametrize(("method", "path"), API_REQUESTS)
@pytest.mark.parametrize(
    "authorization", [f"Basic {TOKEN}", "Bearer", *(f"Bearer {token}" for token in NOT_UUIDS)]
)
def test_a_malformed_token_is_a_401_saying_the_token_is_invalid(
    client: FlaskClient, method: str, path: str, authorization: str
) -> None:
    _invalid_token_challenge(
        client.open(path, method=method, headers={"Authorization": authorization})
    )


@pytest.mark.parametrize(("method", "path"), API_REQUESTS)
@pytest.mark.parametrize("token", NOT_UUIDS)
def test_a_malformed_token_in_the_query_is_a_401_too(
    client: FlaskClient, method: str, path: str, token: str
) -> None:
    _invalid_token_challenge(
        client.open(f"{path}?access_token={urllib.parse.quote(token)}", method=method)
    )


def test_an_unknown_api_path_is_a_404_with_or_without_a_token(client: FlaskClient) -> None:
    problem(client.get("/api/v1/nothing-here"), 404, "not_found")
    problem(client.get("/api/v1/nothing-here", headers={"Authorization": f"Bearer {TOKEN}"}), 404)


@pytest.mark.parametrize("path", ["//api/v1/reservations", "///api/v1/reservations"])
def test_leading_slashes_do_not_take_a_path_out_of_the_api(client: FlaskClient, path: str) -> None:
    # The test client would make the slashes one: the path goes in the environ as sent.
    environ = EnvironBuilder(path="/", method="POST").get_environ() | {"PATH_INFO": path}
    status: list[str] = []
    body = b"".join(client.application(environ, lambda line, _headers: status.append(line)))

    assert status == ["401 UNAUTHORIZED"], body


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_bearer_scheme_is_case_insensitive(client: FlaskClient, scheme: str) -> None:
    response = search(
        client, "start_date=2021-01-04&nights=3", headers={"Authorization": f"{scheme} {TOKEN}"}
    )
    assert response.status_code == 200


def test_the_token_may_come_as_the_access_token_query_parameter(client: FlaskClient) -> None:
    response = search(client, f"start_date=2021-01-04&nights=3&access_token={TOKEN}", headers={})

    assert response.status_code == 200
    assert len(json_of(response)["properties"]) == 5


def test_a_token_sent_two_ways_at_once_is_a_400(client: FlaskClient) -> None:
    response = search(client, f"start_date=2021-01-04&nights=3&access_token={TOKEN}")
    problem(response, 400, "invalid_request")


def test_any_uuid_in_any_case_is_a_valid_token(app: OtaFlask) -> None:
    client = app.test_client()
    for token in (str(uuid.uuid4()), str(uuid.uuid4()).upper(), str(uuid.UUID(int=0))):
        response = search(
            client, "start_date=2021-01-04&nights=3", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, token


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"])
def test_operational_routes_need_no_token(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 200
