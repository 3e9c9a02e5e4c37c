"""Real processes for end-to-end tests: free ports, an HTTP client, waiting for readiness."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import attrs

TOKEN = "0b7e7dd0-3c52-4a5e-9d6c-6a3f0e2b8c41"  # noqa: S105 (a mock token: any UUID)
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@attrs.frozen
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@attrs.frozen
class Api:
    """An HTTP client of one running server, sending the test token."""

    base: str

    @classmethod
    def on_port(cls, port: int) -> Api:
        return cls(f"http://127.0.0.1:{port}")

    def call(
        self,
        method: str,
        path: str,
        body: object = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10,
    ) -> Answer:
        request = urllib.request.Request(  # noqa: S310 (a local test server)
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {TOKEN}",
                "Content-Type": "application/json",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def answers(self, path: str = "/healthz", status: int = 200) -> bool:
        try:
            return self.call("GET", path, timeout=2).status == status
        except OSError:
            return False


def wait_until(condition: Callable[[], bool], what: str, seconds: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.1)


def wait_until_up(api: Api, process: subprocess.Popen[str], path: str = "/healthz") -> None:
    def up() -> bool:
        if process.poll() is not None:
            _, stderr = process.communicate()
            raise AssertionError(f"the server exited early: {stderr}")
        return api.answers(path)

    wait_until(up, f"{api.base}{path} answers")
