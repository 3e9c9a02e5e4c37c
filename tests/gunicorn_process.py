"""gunicorn as the tests run it: the project's configuration, a log file, a process group."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from tests.live import Api, free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:ota_web.gunicorn_conf"]
# Settings a developer's shell may hold that would change what a test measures.
_CLEARED = ("DATABASE_URL", "STORAGE", "WEB_CONCURRENCY", "GUNICORN_THREADS", "LOG_FORMAT", "DB_")


def server_environment(**values: str) -> dict[str, str]:
    """The test process's environment without the service's settings, plus `values`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED)}
    return kept | {"LOG_FORMAT": "json", "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "4"} | values


@attrs.frozen
class Gunicorn:
    """One gunicorn master, its own process group, logging to a file."""

    process: subprocess.Popen[bytes]
    api: Api
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return {int(pid) for pid in children}

    def kill_all(self) -> None:
        """SIGKILL the master and every worker at once, as a node crash would."""
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON lines logged so far (gunicorn's own lines included)."""
        text = self.log_path.read_text(errors="replace")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def answers(self, path: str) -> bool:
        """True once `path` answers 200; fails at once if gunicorn has exited."""
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited early:\n{self.log_text()}")
        return self.api.answers(path)


@contextmanager
def gunicorn(
    log_dir: Path, environment: dict[str, str], *, port: int | None = None, ready: str = "/readyz"
) -> Iterator[Gunicorn]:
    """gunicorn serving `ota_web.wsgi:app` until the block ends (killed if still up)."""
    port = free_port() if port is None else port
    log_path = log_dir / f"gunicorn-{port}-{len(list(log_dir.glob('gunicorn-*')))}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*GUNICORN, "ota_web.wsgi:app"],
            cwd=ROOT,
            env=environment | {"PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own, to kill as a whole
        )
    server = Gunicorn(process, Api.on_port(port), log_path)
    try:
        wait_until(lambda: server.answers(ready), f"gunicorn answers on {ready}")
        yield server
    finally:
        if process.poll() is None:
            server.kill_all()


def _listening_inodes(port: int) -> set[int]:
    """The sockets listening on `port`: one per worker, each its own (`reuse_port`)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(int(inode))
    return inodes


def _polls(pid: int, inodes: set[int]) -> bool:
    """True when an epoll instance of process `pid` watches one of the sockets `inodes`."""
    wanted = {f" ino:{inode:x} " for inode in inodes}
    for info in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            lines = info.read_text().splitlines()
        except FileNotFoundError:  # closed meanwhile
            continue
        if any(line.startswith("tfd:") and w in f"{line} " for line in lines for w in wanted):
            return True
    return False


def accepting_workers(server: Gunicorn) -> set[int]:
    """The workers still accepting connections: their event loop still polls the listener.

    A worker told to stop (SIGTERM) stops polling it at once, and then only
    finishes the requests it has; the socket itself stays open until it exits.
    """
    inodes = _listening_inodes(int(server.api.base.rsplit(":", 1)[1]))
    return {pid for pid in server.worker_pids() if _polls(pid, inodes)}
