"""What the domain needs from the outside world, stated in domain terms only.

Adapters (in-memory, Postgres, ...) implement these; the same contract tests
run against each of them.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Protocol, Self

import attrs

from ota_core.dates import DateRange
from ota_core.model import Property, PropertyId, Reservation, ReservationId


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


class IdGenerator(Protocol):
    def new_reservation_id(self) -> ReservationId:
        """An id no other reservation has or will have."""
        ...


@attrs.frozen
class IdempotencyRecord:
    """The outcome of a request sent with an idempotency key.

    `fingerprint` identifies the request, so a key sent again with a different
    request can be told apart from a retry.
    """

    key: str
    fingerprint: str
    reservation_id: ReservationId
    recorded_at: dt.datetime


class PropertyRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, property_: Property) -> None:
        """Store a property; one that already exists is left as it is."""

    @abc.abstractmethod
    def get(self, property_id: PropertyId) -> Property | None: ...

    @abc.abstractmethod
    def list_free(
        self, stay: DateRange, *, after: PropertyId | None, limit: int
    ) -> Sequence[Property]:
        """Up to `limit` properties with no confirmed reservation overlapping `stay`.

        Ordered by id, starting after the id `after` (keyset pagination).
        """


class ReservationRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, reservation: Reservation) -> None:
        """Store a new confirmed reservation.

        Atomically, also against concurrent units of work: raises
        `DatesUnavailable` when a confirmed reservation of the same property
        overlaps its stay, and `UnknownProperty` when the property does not
        exist. Nothing is stored when it raises.
        """

    @abc.abstractmethod
    def get(self, reservation_id: ReservationId) -> Reservation | None: ...

    @abc.abstractmethod
    def save(self, reservation: Reservation) -> None:
        """Store a changed status (cancellation) of an existing reservation."""


class IdempotencyKeys(abc.ABC):
    @abc.abstractmethod
    def get(self, key: str) -> IdempotencyRecord | None: ...

    @abc.abstractmethod
    def add(self, record: IdempotencyRecord) -> None:
        """Claim `record.key`; raises `IdempotencyKeyTaken` if a unit of work claimed it first."""

    @abc.abstractmethod
    def forget_recorded_before(self, cutoff: dt.datetime, limit: int) -> int:
        """Delete at most `limit` records made before `cutoff`; return how many went."""


class UnitOfWork(abc.ABC):
    """One transaction: `with uow: ... uow.commit()`.

    Leaving the block without `commit()` rolls back, so nothing is durable
    unless the code says so.
    """

    properties: PropertyRepository
    reservations: ReservationRepository
    idempotency_keys: IdempotencyKeys

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None:
        """Undo what was not committed; harmless after `commit()`."""


UnitOfWorkFactory = Callable[[], UnitOfWork]
