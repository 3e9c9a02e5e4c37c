"""/openapi.json describes exactly the app's routes; /docs works offline."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from openapi_spec_validator import validate

from ota_web.app import OtaFlask
from tests.web.support import json_of

_IGNORED_METHODS = {"HEAD", "OPTIONS"}  # added by Flask to every route


def _spec(client: FlaskClient) -> dict[str, object]:
    return json_of(client.get("/openapi.json"))  # type: ignore[no-any-return]


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_the_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    spec = _spec(client)
    assert spec["openapi"] == "3.1.0"
    validate(spec)


def test_every_route_and_method_is_described_and_nothing_else(
    app: OtaFlask, client: FlaskClient
) -> None:
    served = {
        (_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - _IGNORED_METHODS
    }
    paths = _spec(client)["paths"]
    described = {
        (path, method)
        for path, item in paths.items()  # type: ignore[attr-defined]
        for method in item
        if method != "parameters"
    }
    assert described == served


def test_every_api_operation_requires_a_token_and_documents_its_errors(
    client: FlaskClient,
) -> None:
    for path, item in _spec(client)["paths"].items():  # type: ignore[attr-defined]
        for method, operation in item.items():
            if method == "parameters" or not path.startswith("/api/"):
                continue
            assert operation["security"], (path, method)
            assert {"400", "401", "500", "503"} <= set(operation["responses"]), (path, method)
            for status, response in operation["responses"].items():
                assert "X-Request-ID" in response["headers"], (path, method, status)


def test_the_search_parameters_come_from_the_validating_model(client: FlaskClient) -> None:
    search = _spec(client)["paths"]["/api/v1/properties/available"]["get"]  # type: ignore[index]
    parameters = {p["name"]: p for p in search["parameters"]}

    assert set(parameters) == {"start_date", "nights", "limit", "after"}
    assert parameters["start_date"]["schema"]["format"] == "date"
    assert parameters["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "default": 100,
    }
    assert parameters["start_date"]["required"] is True
    assert parameters["after"]["required"] is False


def test_the_docs_page_and_every_file_it_loads_are_served_locally(client: FlaskClient) -> None:
    page = client.get("/docs")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "http://" not in html
    assert "https://" not in html
    loaded = ""
    for asset in re.findall(r'(?:src|href)="(/docs/[^"]+)"', html):
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.get_data(), asset
        loaded += response.get_data(as_text=True) if asset.endswith("ota-docs.js") else ""
    assert 'url: "/openapi.json"' in loaded
    assert "<script>" not in html, "no inline script: the CSP allows this origin's files only"


def test_the_docs_page_and_its_files_are_confined(client: FlaskClient) -> None:
    for path in ("/docs", "/docs/ota-docs.js", "/docs/swagger-ui.css", "/docs/secrets.txt"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_an_unknown_docs_file_is_a_404(client: FlaskClient) -> None:
    assert client.get("/docs/secrets.txt").status_code == 404
