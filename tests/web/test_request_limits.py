"""The real server's limits on a request: what gunicorn refuses is a problem document too."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import attrs
import pytest

from ota_web.settings import HEADER_FIELD_MAX_BYTES, HEADER_FIELDS_MAX, REQUEST_LINE_MAX_BYTES
from tests.live import TOKEN
from tests.scale.instances import Instance, running_instances
from tests.web.documented import Document

DOCUMENT = Document()
CRLF = b"\r\n"


@attrs.frozen
class RawAnswer:
    status: int
    media_type: str
    body: bytes


def _send(port: int, head: bytes, body: bytes = b"") -> RawAnswer:
    """Send bytes as they are, then read the answer until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head + body)
        connection.shutdown(socket.SHUT_WR)  # all sent: a body cut short ends here
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    header, _, content = received.partition(CRLF * 2)
    status_line, *lines = header.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (x.partition(":") for x in lines)}
    media_type = headers.get("content-type", "").split(";")[0]
    return RawAnswer(int(status_line.split()[1]), media_type, content)


def _request(path: str, fields: list[bytes] | None = None, method: str = "GET") -> bytes:
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: test", b"Connection: close"]
    return CRLF.join([*lines, *(fields or [])]) + CRLF * 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    workdir = tmp_path_factory.mktemp("limits")
    with running_instances(None, workdir, ["limits"], STORAGE="memory") as (running,):
        yield running


def _documented(answer: RawAnswer, path: str, method: str = "GET") -> RawAnswer:
    assert DOCUMENT.answer_errors(method, path, answer.status, answer.media_type, answer.body) == []
    return answer


def _path_of_line_length(length: int) -> str:
    """A search path making the request line `GET <path> HTTP/1.1` exactly `length` bytes."""
    start = "/api/v1/properties/available?start_date=2021-01-04&nights=3&after="
    return start + "a" * (length - len(f"GET {start} HTTP/1.1"))


def test_a_request_line_up_to_the_limit_reaches_the_app_and_one_byte_more_is_a_414(
    server: Instance,
) -> None:
    auth = [f"Authorization: Bearer {TOKEN}".encode()]
    longest = _path_of_line_length(REQUEST_LINE_MAX_BYTES)
    too_long = _path_of_line_length(REQUEST_LINE_MAX_BYTES + 1)

    taken = _documented(_send(server.port, _request(longest, auth)), longest)
    refused = _documented(_send(server.port, _request(too_long, auth)), too_long)

    assert taken.status == 400, "the app's answer: the cursor is longer than an id"
    assert refused.status == 414


def _fields(count: int) -> list[bytes]:
    return [f"X-Field-{n}: {n}".encode() for n in range(count - 2)]  # Host and Connection too


def _field_of_size(size: int) -> list[bytes]:
    """One field whose line, `Name: value` and its CRLF, is `size` bytes."""
    return [b"X-Big: " + b"a" * (size - len(b"X-Big: ") - len(CRLF))]


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        (_fields(HEADER_FIELDS_MAX), 200),
        (_fields(HEADER_FIELDS_MAX + 1), 431),
        (_field_of_size(HEADER_FIELD_MAX_BYTES), 200),
        (_field_of_size(HEADER_FIELD_MAX_BYTES + 1), 431),
    ],
    ids=["fields-at-limit", "one-field-too-many", "field-at-limit", "field-one-byte-over"],
)
def test_header_fields_up_to_the_limits_are_taken_and_beyond_them_are_a_431(
    server: Instance, fields: list[bytes], status: int
) -> None:
    answer = _documented(_send(server.port, _request("/healthz", fields)), "/healthz")
    assert answer.status == status


BOOKING = f"POST /api/v1/reservations HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\n"
NOT_HTTP = {
    "control-in-line": f"GET /api/v1/x?access_token={TOKEN}\x01 HTTP/1.1\r\n\r\n",
    "bad-method": f"G\x01T /?access_token={TOKEN} HTTP/1.1\r\n\r\n",
    "bad-version": f"GET /?access_token={TOKEN} HTTP/9.9\r\n\r\n",
    "bad-field-name": f"GET /healthz HTTP/1.1\r\nX\x01Bad: {TOKEN}\r\n\r\n",
    "no-colon": "GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n",
    "unknown-coding": f"{BOOKING}Transfer-Encoding: gzip\r\n\r\n",
    # Read by the app: the server's parser fails inside it.
    "bad-chunk-size": f"{BOOKING}Content-Type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
    "body-cut-short": f"{BOOKING}Content-Type: application/json\r\n"
    'Content-Length: 100\r\n\r\n{"property_id":',
}


@pytest.mark.parametrize("head", NOT_HTTP.values(), ids=NOT_HTTP.keys())
def test_what_is_not_http_is_a_400_problem_and_never_logged_as_sent(
    server: Instance, head: str
) -> None:
    answer = _send(server.port, head.encode())

    assert answer.status == 400
    assert DOCUMENT.problem_errors(400, answer.media_type, answer.body) == []
    assert TOKEN not in answer.body.decode()
    assert TOKEN not in server.log.read_text()


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
def test_a_body_over_16_kib_is_a_413_problem(server: Instance, chunked: bool) -> None:
    body = b'{"property_id": "' + b"x" * 20_000 + b'"}'
    framing = (
        [b"Transfer-Encoding: chunked"] if chunked else [f"Content-Length: {len(body)}".encode()]
    )
    fields = [f"Authorization: Bearer {TOKEN}".encode(), b"Content-Type: application/json"]
    if chunked:
        body = f"{len(body):x}".encode() + CRLF + body + CRLF + b"0" + CRLF * 2
    path = "/api/v1/reservations"

    answer = _send(server.port, _request(path, [*fields, *framing], "POST"), body)

    assert _documented(answer, path, "POST").status == 413
