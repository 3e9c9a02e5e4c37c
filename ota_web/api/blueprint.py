from flask import Blueprint

from ota_web.auth import require_access_token

API_PREFIX = "/api/v1"

api = Blueprint("api", __name__, url_prefix=API_PREFIX)
api.before_request(require_access_token)
