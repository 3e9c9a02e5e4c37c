"""`/docs`: Swagger UI over `/openapi.json`, from files shipped in a PyPI package (no CDN)."""

from __future__ import annotations

from importlib import resources

from flask import Blueprint, Response, abort

# flask-swagger-ui ships Swagger UI 5, which renders OpenAPI 3.1.
_DIST = resources.files("flask_swagger_ui") / "dist"
DOCS_ASSETS = frozenset(
    {
        "swagger-ui.css",
        "index.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "favicon-32x32.png",
    }
)
_MEDIA_TYPES = {".css": "text/css", ".js": "text/javascript", ".png": "image/png"}

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>OTA API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="stylesheet" href="/docs/index.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.onload = () => {
      window.ui = SwaggerUIBundle({
        url: "/openapi.json",
        dom_id: "#swagger-ui",
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: "StandaloneLayout",
      });
    };
  </script>
</body>
</html>
"""

docs = Blueprint("docs", __name__)


@docs.get("/docs")
def page() -> Response:
    return Response(_PAGE, mimetype="text/html")


@docs.get("/docs/<asset>")
def asset(asset: str) -> Response:
    if asset not in DOCS_ASSETS:
        abort(404)
    suffix = asset[asset.rindex(".") :]
    response = Response(_DIST.joinpath(asset).read_bytes(), mimetype=_MEDIA_TYPES[suffix])
    response.cache_control.max_age = 86400
    return response
