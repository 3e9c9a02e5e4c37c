"""Two app instances on one database behind a load balancer (HAProxy), on loopback ports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs

from tests.live import Answer
from tests.scale.balancer import INSTANCE_HEADER, Balancer, balancer
from tests.scale.clients import header
from tests.scale.instances import Instance, running_instances

# 2 workers per instance instead of gunicorn's 4: two instances then hold at most
# 2 x 2 x (15 + 0) = 60 database connections, which leaves room on the embedded
# server (max_connections 100) for the other tests' pools; and 4 workers start
# in half the CPU time of 8 on 2 cores.
SIZE = {"WEB_CONCURRENCY": "2"}
SEARCH = "/api/v1/properties/available"


@attrs.frozen
class Cluster:
    balancer: Balancer
    instances: list[Instance]

    def call(
        self, instance: str, method: str, path: str, body: object = None, key: str | None = None
    ) -> Answer:
        """A request through the balancer to `instance`, which must be the one answering."""
        headers = {INSTANCE_HEADER: instance} | ({"Idempotency-Key": key} if key else {})
        answer = self.balancer.api.call(method, path, body, headers)
        served_by = header(answer, INSTANCE_HEADER)
        if served_by != instance:
            raise AssertionError(f"{method} {path} for {instance} was answered by {served_by}")
        return answer

    def free(self, instance: str, start: dt.date, nights: int) -> list[str]:
        path = f"{SEARCH}?start_date={start.isoformat()}&nights={nights}"
        found = self.call(instance, "GET", path)
        if found.status != 200:
            raise AssertionError(f"search on {instance}: {found.status} {found.body!r}")
        return [p["property_id"] for p in found.json()["properties"]]


@contextmanager
def two_instances(database: str, workdir: Path) -> Iterator[Cluster]:
    with (
        running_instances(database, workdir, ["a", "b"], **SIZE) as instances,
        balancer(instances, workdir) as front,
    ):
        yield Cluster(front, instances)
