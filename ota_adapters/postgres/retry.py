"""Running a statement again when PostgreSQL aborted it to break a deadlock."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from loguru import logger

from ota_adapters.postgres.errors import is_transient_conflict

T = TypeVar("T")

MAX_ATTEMPTS = 3
"""Tries of one conflicting insert; each deadlock costs about `deadlock_timeout` (1 s)."""


def retry_transient(
    attempt: Callable[[], T], *, what: Callable[[], str], attempts: int = MAX_ATTEMPTS
) -> T:
    """`attempt()`, run again after a deadlock or serialization failure, `attempts` times at most.

    `attempt` must undo its own effect when it fails (a SAVEPOINT does). The
    last failure propagates. `what()` names the attempt in a retry's log line:
    it is called only then, not on every attempt.
    """
    for number in range(1, attempts):
        try:
            return attempt()
        except Exception as error:
            if not is_transient_conflict(error):
                raise
            logger.warning(
                "{} hit a transient conflict ({}), trying again: attempt {} of {}",
                what(),
                type(getattr(error, "orig", error)).__name__,
                number + 1,
                attempts,
            )
    return attempt()
