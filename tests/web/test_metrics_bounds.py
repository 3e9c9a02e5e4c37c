"""Metric labels come from fixed sets, and /metrics can be kept off the public port."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests.live import Api, free_port
from tests.scale.instances import running_instances
from tests.web.support import AUTH, build_app


def _series(client: FlaskClient) -> list[str]:
    text = client.get("/metrics").get_data(as_text=True)
    return [line.split(" ")[0] for line in text.splitlines() if not line.startswith("#")]


def _invent(client: FlaskClient, n: int) -> None:
    """A request with a made-up method, and one to a made-up path, each `n` times over."""
    client.open("/api/v1/reservations", method=f"ZZ{n:04}", headers=AUTH)
    client.open(f"/made-up/{n}", method=f"ZZ{n:04}")
    client.get(f"/api/v1/made-up-{n}", headers=AUTH)
    client.get(f"/made-up/{n}?q={n}")


def test_invented_methods_and_paths_add_no_series(client: FlaskClient) -> None:
    _invent(client, 0)  # the one "other" method and the one unmatched route, once
    _series(client)  # and a scrape, which is a request too
    before = _series(client)

    for n in range(1, 301):
        _invent(client, n)

    after = _series(client)
    assert after == before
    assert any('method="other"' in s and 'route="<unmatched>"' in s for s in after)
    assert not any("ZZ" in s or "made-up" in s for s in after)


def test_with_a_metrics_port_the_app_does_not_serve_metrics() -> None:
    app = build_app(metrics_port=9100)
    try:
        assert app.test_client().get("/metrics").status_code == 404
        assert app.test_client().get("/healthz").status_code == 200
    finally:
        app.container.unwire()


def test_gunicorn_serves_metrics_on_the_metrics_port_only(tmp_path: Path) -> None:
    metrics_port = free_port()
    settings = {"STORAGE": "memory", "GUNICORN_THREADS": "2", "METRICS_PORT": str(metrics_port)}
    with running_instances(None, tmp_path, ["memory"], **settings) as (server,):
        assert server.api.call("GET", "/healthz").status == 200
        assert server.api.call("GET", "/metrics").status == 404
        scraped = Api.on_port(metrics_port).call("GET", "/metrics")
        assert scraped.status == 200
        assert b'route="/healthz",status="200"' in scraped.body
        assert server.stop() == 0, server.log_tail()
