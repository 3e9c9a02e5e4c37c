"""Requests sent with an idempotency key, and the store of their records (a port)."""

from __future__ import annotations

import abc
import datetime as dt

import attrs

from ota_core.model import ReservationId
from ota_core.principal import Principal


@attrs.frozen
class IdempotencyRecord:
    """The outcome of a request `principal` sent with an idempotency key.

    Keys are the principal's own: another principal's equal key is another key.
    `fingerprint` identifies the request, so a key sent again with a different
    request can be told apart from a retry.
    """

    principal: Principal
    key: str
    fingerprint: str
    reservation_id: ReservationId
    recorded_at: dt.datetime


class IdempotencyKeys(abc.ABC):
    """The records of requests sent with an idempotency key (`ReservationRepository.add` claims)."""

    @abc.abstractmethod
    def get(self, principal: Principal, key: str) -> IdempotencyRecord | None:
        """The record of `principal`'s request with `key`; another principal's is not seen."""

    @abc.abstractmethod
    def add(self, record: IdempotencyRecord) -> None:
        """Store `record`, whose reservation is stored; `IdempotencyKeyTaken` if its key is held.

        A key another unit of work is adding is waited for.
        """

    @abc.abstractmethod
    def forget_recorded_before(self, cutoff: dt.datetime, limit: int) -> int:
        """Delete at most `limit` records made before `cutoff`; return how many went."""
