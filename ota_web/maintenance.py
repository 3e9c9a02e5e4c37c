"""The clean-ups the CronJobs run (`ota forget-idempotency-keys`, `ota forget-expired-holds`).

Each builds the service's container on the database given, runs one use case
in batches of short transactions, and says what it did.
"""

from __future__ import annotations

import attrs
from loguru import logger

from ota_web.app import build_container
from ota_web.settings import Settings


def forget_idempotency_keys(settings: Settings, url: str) -> None:
    """Delete the idempotency keys past their retention (hourly: deploy/k8s)."""
    container = build_container(attrs.evolve(settings, storage="postgres", database_url=url))
    try:
        forgotten = container.forget_idempotency_keys().execute()
    finally:
        container.shutdown_resources()
    hours = settings.idempotency_key_retention_hours
    logger.info("forgot {} idempotency keys recorded over {} h ago", forgotten, hours)


def forget_expired_holds(settings: Settings, url: str) -> None:
    """Delete the holds that have expired or were released (every 10 minutes: deploy/k8s).

    Nothing waits for this: an expired hold takes no nights already.
    """
    container = build_container(attrs.evolve(settings, storage="postgres", database_url=url))
    try:
        forgotten = container.forget_expired_holds().execute()
    finally:
        container.shutdown_resources()
    logger.info("forgot {} expired holds", forgotten)
