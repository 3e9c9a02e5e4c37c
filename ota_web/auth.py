"""The mock access token: any UUID, sent as a bearer token (RFC 6750), names the principal."""

from __future__ import annotations

from flask import Request, g, request

from ota_core import InvalidRequest, OtaError, Principal
from ota_web.telemetry import current_trace

TOKEN_PARAMETER = "access_token"  # noqa: S105 (a parameter name, not a secret)
LOGGED_TOKEN_CHARS = 8


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
    """Refuse a request without a valid token, before anything reads it; note its principal.

    The `api` blueprint's `before_request`: Flask runs it for the API's routes only.
    """
    token = sent_token(request)
    if token is None:
        raise Unauthorized("an access token is required", token_sent=False)
    try:
        g.principal = Principal.parse(token)
    except ValueError:
        raise Unauthorized("the access token must be a UUID", token_sent=True) from None
    trace = current_trace()
    if trace is not None:
        trace.token = str(g.principal)[:LOGGED_TOKEN_CHARS]


def current_principal() -> Principal:
    """Whom the current request acts for, as `require_access_token` found it."""
    principal = g.get("principal")
    if not isinstance(principal, Principal):
        raise Unauthorized("an access token is required", token_sent=False)
    return principal
