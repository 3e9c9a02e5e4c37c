"""The mock access token: any UUID, sent as a bearer token (RFC 6750)."""

from __future__ import annotations

import re

from flask import Request, request

from ota_core import InvalidRequest, OtaError
from ota_web.telemetry import current_trace

TOKEN_PARAMETER = "access_token"  # noqa: S105 (a parameter name, not a secret)
LOGGED_TOKEN_CHARS = 8
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class Unauthorized(OtaError):
    """No valid access token came with the request."""

    code = "unauthorized"

    def __init__(self, message: str, *, token_sent: bool) -> None:
        super().__init__(message)
        self.token_sent = token_sent

    @property
    def challenge(self) -> str:
        """The `WWW-Authenticate` value that tells the client what to send."""
        if self.token_sent:
            return 'Bearer realm="ota", error="invalid_token"'
        return 'Bearer realm="ota"'


def sent_token(incoming: Request) -> str | None:
    """The token from the `Authorization` header or the `access_token` parameter, if any."""
    header = incoming.headers.get("Authorization")
    in_query = incoming.args.getlist(TOKEN_PARAMETER)
    if (header is not None and in_query) or len(in_query) > 1:
        # RFC 6750, section 2: a client uses one way only to send the token.
        raise InvalidRequest("send the access token once, in one way", field=TOKEN_PARAMETER)
    if header is None:
        return in_query[0] if in_query else None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthorized("the Authorization header must use the Bearer scheme", token_sent=True)
    return token.strip(" ")


def require_access_token() -> None:
    """Refuse a request without a valid token, before anything else reads it.

    The `api` blueprint's `before_request`: Flask runs it for the API's routes only.
    """
    token = sent_token(request)
    if token is None:
        raise Unauthorized("an access token is required", token_sent=False)
    if not _UUID.fullmatch(token):
        raise Unauthorized("the access token must be a UUID", token_sent=True)
    trace = current_trace()
    if trace is not None:
        trace.token = token[:LOGGED_TOKEN_CHARS]
