from flask import Blueprint, Response, request

from ota_web.auth import require_access_token

API_PREFIX = "/api/v1"

api = Blueprint("api", __name__, url_prefix=API_PREFIX)
api.before_request(require_access_token)


def not_stored(response: Response) -> Response:
    """An `after_request` hook of the app's: no cache keeps an answer under /api.

    The app's rather than the blueprint's, so that it also marks the answers to paths
    under /api that match no route. They are one principal's, errors included.
    """
    if request.path == API_PREFIX or request.path.startswith(f"{API_PREFIX}/"):
        response.headers["Cache-Control"] = "no-store"
    return response
