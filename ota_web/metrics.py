"""Prometheus metrics, correct across gunicorn workers.

With `PROMETHEUS_MULTIPROC_DIR` set, prometheus-client keeps each process's
values in files there and `/metrics` adds up those of every worker; without
it, one process's registry is exposed as it is.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from ota_web.storage import PoolUsage

# Label values come from a fixed set, whatever clients send: each new value is a series
# more, kept by every worker in its file and in every scrape from then on.
HTTP_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"}
)
OTHER_METHOD = "other"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_POOL_STATES = ("checked_out", "idle", "overflow")


class Metrics:
    def __init__(self, multiprocess_dir: str | None = None) -> None:
        self._multiprocess_dir = multiprocess_dir
        self._request_series: dict[tuple[str, str, int], Histogram] = {}
        self.registry = CollectorRegistry()
        # Its `_count` series counts the requests: no counter of their own to keep in step.
        self.latency = Histogram(
            "ota_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ("method", "route", "status"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.reservations_made = Counter(
            "ota_reservations_made", "Reservations booked.", registry=self.registry
        )
        self.reservations_cancelled = Counter(
            "ota_reservations_cancelled", "Reservations cancelled.", registry=self.registry
        )
        self.booking_replays = Counter(
            "ota_booking_replays",
            "Bookings answered from an earlier request with the same Idempotency-Key.",
            registry=self.registry,
        )
        self.booking_conflicts = Counter(
            "ota_booking_conflicts",
            "Bookings refused because the nights were taken.",
            registry=self.registry,
        )
        self.holds = Counter(
            "ota_holds",
            "Holds, by what happened to them: placed, confirmed, released, or expired "
            "(a confirmation refused because the hold had expired).",
            ("outcome",),
            registry=self.registry,
        )
        self.stays_changed = Counter(
            "ota_stays_changed", "Reservations moved to other dates.", registry=self.registry
        )
        self.db_pool = Gauge(
            "ota_db_pool_connections",
            "Database connections of the workers' pools, by database and state.",
            ("database", "state"),
            multiprocess_mode="livesum",
            registry=self.registry,
        )
        # Looked up once per database: `labels()` takes a lock and builds a tuple.
        self._pool_series: dict[str, tuple[Gauge, ...]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One request; `route` is its rule (one value for all unmatched paths), not its path."""
        if method not in HTTP_METHODS:
            method = OTHER_METHOD
        key = (method, route, status)
        series = self._request_series.get(key)
        if series is None:  # once per label set: `labels()` takes a lock and builds a tuple
            series = self.latency.labels(method, route, str(status))
            self._request_series[key] = series
        series.observe(seconds)

    def observe_pools(self, usage: dict[str, PoolUsage]) -> None:
        for database, pool in usage.items():
            series = self._pool_series.get(database)
            if series is None:  # once per database, as above
                series = tuple(self.db_pool.labels(database, s) for s in _POOL_STATES)
                self._pool_series[database] = series
            checked_out, idle, overflow = series
            checked_out.set(pool.checked_out)
            idle.set(pool.idle)
            overflow.set(pool.overflow)

    def exposition(self) -> tuple[bytes, str]:
        """The text format of every metric, and its content type."""
        if self._multiprocess_dir is None:
            return generate_latest(self.registry), CONTENT_TYPE_LATEST
        return generate_latest(workers_registry(self._multiprocess_dir)), CONTENT_TYPE_LATEST


def workers_registry(multiprocess_dir: str) -> CollectorRegistry:
    """A registry reading every worker's values from `multiprocess_dir`, added up."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=multiprocess_dir)  # type: ignore[no-untyped-call]
    return registry
