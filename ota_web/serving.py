"""Running gunicorn as a child of `ota serve`, and stopping it gracefully."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from types import FrameType

from loguru import logger

GUNICORN = ["-m", "gunicorn", "-c", "python:ota_web.gunicorn_conf", "ota_web.wsgi:app"]


def stop_signals_raise_keyboard_interrupt() -> None:
    def stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    # SIGINT too: a shell starting `make run &` without job control leaves it ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)


def serve_until_stopped(environment: dict[str, str]) -> int:
    """Run gunicorn as a child; pass it SIGINT/SIGTERM and wait for its graceful stop."""
    # In a process group of its own, Ctrl-C reaches only this process, which asks
    # gunicorn for a graceful stop (SIGTERM) instead of its quick one (SIGINT).
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, *GUNICORN], env=environment, process_group=0
    )
    stop_signals_raise_keyboard_interrupt()
    while True:
        try:
            return server.wait()
        except KeyboardInterrupt:
            logger.info("stopping the server")
            server.send_signal(signal.SIGTERM)


def port_in_use(port: int) -> bool:
    """True when something listens on `port` already.

    gunicorn binds with SO_REUSEPORT (a socket per worker), so a second server
    started by the same user would share the port silently instead of failing.
    """
    with socket.socket() as probe:
        try:
            probe.bind(("0.0.0.0", port))  # noqa: S104 - the address gunicorn binds
        except OSError:
            return True
    return False
