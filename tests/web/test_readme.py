"""The README's curl examples, replayed in order against the app; outputs must match."""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shlex
import uuid
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from flask.testing import FlaskClient

from ota_core import ReservationId
from ota_web.app import OtaFlask
from ota_web.storage import Storage
from tests.web.support import EACH_STORAGE, build_app

README = Path(__file__).resolve().parents[2] / "README.md"
_BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture(params=EACH_STORAGE)
def storage_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@attrs.frozen
class Example:
    command: str
    expected: str


def _api_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("\n## API\n", 1)[1].split("\n## ", 1)[0]


def _variables(section: str) -> dict[str, str]:
    return dict(re.findall(r"^(\w+)=(\S+)$", section, re.MULTILINE))


def _examples(section: str) -> list[Example]:
    blocks = _BLOCK.findall(section)
    return [
        Example(command, output)
        for (kind, command), (_, output) in itertools.pairwise(blocks)
        if kind == "sh" and command.startswith("curl ")
    ]


class ReadmeIds:
    """Gives the ids the README shows, in the order it makes them, then others."""

    def __init__(self, ids: list[str]) -> None:
        shown = (uuid.UUID(text) for text in ids)
        self._ids = itertools.chain(shown, (uuid.UUID(int=n) for n in itertools.count(1)))

    def new_reservation_id(self) -> ReservationId:
        return ReservationId(next(self._ids))


def _ids_made(examples: list[Example], variables: dict[str, str]) -> list[str]:
    """The id each booking or hold takes, in order: the one shown, or, refused for its nights
    (the id is taken before the nights are tried), one that is never shown."""
    made = []
    for example in examples:
        curl = _parse(example.command, variables)
        if curl.method != "POST" or not curl.url.endswith(("/reservations", "/holds")):
            continue
        shown = re.search(rf'"(?:reservation|hold)_id": "({_UUID})"', example.expected)
        if shown is not None:
            made.append(shown.group(1))
        elif '"status": 409' in example.expected:
            made.append(str(uuid.UUID(int=2**64 + len(made))))
    return made


@attrs.frozen
class Curl:
    method: str
    url: str
    headers: dict[str, str]
    data: str | None
    write_status: bool


def _curl_options() -> argparse.ArgumentParser:
    """The curl options the README uses."""
    curl = argparse.ArgumentParser(prog="curl", add_help=False, exit_on_error=False)
    curl.add_argument("-s", action="store_true")
    curl.add_argument("-X", dest="method", default="GET")
    curl.add_argument("-H", dest="headers", action="append", default=[])
    curl.add_argument("-d", dest="data")
    curl.add_argument("-o", dest="output")
    curl.add_argument("-w", dest="write_out")
    curl.add_argument("url")
    return curl


def _parse(command: str, variables: dict[str, str]) -> Curl:
    line = command.replace("\\\n", " ").split("|", 1)[0]
    for name, value in variables.items():
        line = line.replace(f"${name}", value)
    options = _curl_options().parse_args(shlex.split(line)[1:])
    return Curl(
        method=options.method,
        url=options.url.removeprefix("http://localhost:8000"),
        headers=dict(header.split(": ", 1) for header in options.headers),
        data=options.data,
        write_status=options.write_out == "%{http_code}\\n",
    )


def _replay(client: FlaskClient, curl: Curl) -> str:
    response = client.open(curl.url, method=curl.method, headers=curl.headers, data=curl.data)
    return f"{response.status_code}\n" if curl.write_status else response.get_data(as_text=True)


SECTION = _api_section()
EXAMPLES = _examples(SECTION)


@pytest.fixture
def readme_app(sample_storage: Storage) -> Iterator[OtaFlask]:
    made = _ids_made(EXAMPLES, _variables(SECTION))
    app = build_app({"ids": ReadmeIds(made), "storage": sample_storage})
    yield app
    app.container.unwire()


def test_the_readme_shows_search_reserve_get_cancel_and_errors() -> None:
    methods = [_parse(example.command, _variables(SECTION)).method for example in EXAMPLES]
    assert {"GET", "POST", "DELETE"} <= set(methods)
    assert len(EXAMPLES) >= 7


def test_every_readme_curl_example_prints_what_the_readme_shows(readme_app: OtaFlask) -> None:
    client = readme_app.test_client()
    for example in EXAMPLES:
        actual = _replay(client, _parse(example.command, _variables(SECTION)))
        if example.expected.lstrip().startswith("{"):
            assert json.loads(actual) == json.loads(example.expected), example.command
        else:
            assert actual == example.expected, example.command
