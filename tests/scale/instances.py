"""App instances: gunicorn processes with the project's configuration, on one database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import attrs

from tests.live import Api, free_port, wait_until
from tests.postgres_servers import PROJECT_ROOT
from tests.scale.procfs import (
    accepted_connections,
    children,
    listening_sockets,
    polls,
    sockets_held,
)

STOP_SECONDS = 30  # gunicorn's graceful_timeout (20 s) and some
# Settings left to their defaults unless a test names them (read by ota_web/settings.py).
_SETTINGS = ("STORAGE", "DATABASE_URL", "PORT", "OTA_DATA_DIR", "PROMETHEUS_MULTIPROC_DIR")
_SETTING_PREFIXES = ("WEB_", "GUNICORN_", "DB_", "LOG_")


@attrs.frozen
class Instance:
    """One app instance: a gunicorn master and its workers, logging to a file."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def api(self) -> Api:
        return Api.on_port(self.port)

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def connections_by_worker(self) -> dict[int, int]:
        """How many client connections each worker has accepted and holds open."""
        accepted = accepted_connections(self.port)
        return {worker: sockets_held(worker, accepted) for worker in self.workers()}

    def accepting_workers(self) -> set[int]:
        """The workers still accepting connections: their event loop polls their listener.

        A worker told to stop (SIGTERM) stops polling it at once and then only
        finishes the requests it holds; the socket stays open until it exits.
        """
        listeners = listening_sockets(self.port)
        return {worker for worker in self.workers() if polls(worker, listeners)}

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a crash of the machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)

    def log_lines(self) -> list[dict[str, object]]:
        """The JSON lines logged so far, gunicorn's own included."""
        text = self.log.read_text(errors="replace")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def stop(self) -> int:
        """SIGTERM, gunicorn's graceful stop: in-flight requests are answered first."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_SECONDS)

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _environment(
    database_url: str | None, port: int, workdir: Path, settings: dict[str, str]
) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in _SETTINGS and not name.startswith(_SETTING_PREFIXES)
    }
    metrics = workdir / f"metrics-{port}"
    metrics.mkdir(exist_ok=True)  # a server started again on the port takes it over
    database = {} if database_url is None else {"STORAGE": "postgres", "DATABASE_URL": database_url}
    return (
        inherited
        | database
        | {
            "PORT": str(port),
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            "LOG_LEVEL": "WARNING",  # no line per request: the load would be mostly logging
            **settings,
        }
    )


def _start(
    name: str, database_url: str | None, workdir: Path, settings: dict[str, str], port: int | None
) -> Instance:
    port = free_port() if port is None else port
    log = workdir / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:ota_web.gunicorn_conf",
             "ota_web.wsgi:app"],
            cwd=PROJECT_ROOT,
            env=_environment(database_url, port, workdir, settings),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own, for `kill`
        )  # fmt: skip
    return Instance(name, port, process, log)


def _wait_ready(instance: Instance) -> None:
    def ready() -> bool:
        if instance.process.poll() is not None:
            raise AssertionError(f"instance {instance.name} exited:\n{instance.log_tail()}")
        return instance.api.answers("/readyz")

    wait_until(ready, f"instance {instance.name} is ready")


@contextmanager
def running_instances(
    database_url: str | None,
    workdir: Path,
    names: Sequence[str],
    *,
    port: int | None = None,
    **settings: str,
) -> Iterator[list[Instance]]:
    """Instances named `names` on `database_url`, started together, ready; stopped afterwards.

    `settings` are environment variables for all of them (`WEB_CONCURRENCY="2"`);
    without a database URL, they set `STORAGE` themselves. `port`, for one
    instance, is the port it listens on (a free one otherwise).
    """
    if port is not None and len(names) != 1:
        raise ValueError("a port is given to one instance only")
    with ExitStack() as stack:
        instances = []
        for name in names:
            instance = _start(name, database_url, workdir, settings, port)
            stack.callback(_stop_quietly, instance)
            instances.append(instance)
        for instance in instances:
            _wait_ready(instance)
        yield instances


def _stop_quietly(instance: Instance) -> None:
    try:
        instance.stop()
    except subprocess.TimeoutExpired:
        instance.process.kill()
        instance.process.wait()
