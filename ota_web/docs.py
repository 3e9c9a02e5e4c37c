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

# The page's own script, a file rather than inline, so the CSP allows scripts of this
# origin only. No validator: Swagger UI would send the document to validator.swagger.io.
DOCS_SCRIPT = "ota-docs.js"
_SCRIPT = """window.onload = () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    validatorUrl: null,
  });
};
"""
DOCS_FILES = DOCS_ASSETS | {DOCS_SCRIPT}

# What the page loads: scripts, styles and images of this origin (Swagger UI styles its
# elements inline and draws icons as data: URIs), /openapi.json and the API it tries.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

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
  <script src="/docs/ota-docs.js"></script>
</body>
</html>
"""

docs = Blueprint("docs", __name__)


@docs.after_request
def _confined(response: Response) -> Response:
    """The docs page and its files run only what they ship, and in no one's frame."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    return response


@docs.get("/docs")
def page() -> Response:
    return Response(_PAGE, mimetype="text/html")


@docs.get("/docs/<asset>")
def asset(asset: str) -> Response:
    if asset not in DOCS_FILES:
        abort(404)
    suffix = asset[asset.rindex(".") :]
    content = _SCRIPT.encode() if asset == DOCS_SCRIPT else _DIST.joinpath(asset).read_bytes()
    response = Response(content, mimetype=_MEDIA_TYPES[suffix])
    response.cache_control.max_age = 86400
    return response
