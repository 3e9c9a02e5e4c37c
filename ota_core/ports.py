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

from ota_core.calendar import Calendar
from ota_core.dates import DateRange
from ota_core.idempotency import IdempotencyKeys, IdempotencyRecord
from ota_core.listing import ReservationCursor, ReservationFilter
from ota_core.model import Property, PropertyId, Reservation, ReservationId
from ota_core.principal import Principal


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


class IdGenerator(Protocol):
    def new_reservation_id(self) -> ReservationId:
        """An id no other reservation has or will have."""
        ...


class PropertyReader(abc.ABC):
    @abc.abstractmethod
    def get(self, property_id: PropertyId) -> Property | None: ...

    @abc.abstractmethod
    def list_free(
        self, stay: DateRange, *, after: PropertyId | None, limit: int, now: dt.datetime
    ) -> Sequence[Property]:
        """Up to `limit` properties that no reservation overlapping `stay` occupies at `now`.

        Ordered by id, starting after the id `after` (keyset pagination). A hold
        occupies its nights until its `expires_at`, a booking for good.
        """

    @abc.abstractmethod
    def calendar(
        self, property_id: PropertyId, window: DateRange, *, now: dt.datetime
    ) -> Calendar | None:
        """The nights of `window` the property's reservations occupy at `now`, in one read.

        `None` when no property has the id.
        """


class PropertyRepository(PropertyReader):
    @abc.abstractmethod
    def add(self, property_: Property) -> None:
        """Store a property; one that already exists is left as it is."""


class ReservationReader(abc.ABC):
    @abc.abstractmethod
    def get(self, reservation_id: ReservationId) -> Reservation | None:
        """The reservation with the id, whoever owns it (for the service's own bookkeeping)."""

    @abc.abstractmethod
    def get_owned(
        self,
        reservation_id: ReservationId,
        owner: Principal,
        *,
        property_id: PropertyId | None = None,
    ) -> Reservation | None:
        """The reservation with the id if `owner` owns it, else None: one read, by id and owner.

        Someone else's reservation, a legacy one (no owner) and an unknown id
        are all None alike; with `property_id`, so is a reservation of another
        property. Naming the property lets a store that spreads reservations
        over shards by property read the one shard that holds it.
        """

    @abc.abstractmethod
    def list_owned(
        self,
        owner: Principal,
        where: ReservationFilter,
        *,
        after: ReservationCursor | None,
        limit: int,
    ) -> Sequence[Reservation]:
        """Up to `limit` of `owner`'s reservations that `where` matches.

        Ordered by start date, then id, starting after `after` (keyset pagination).
        """


class ReservationRepository(ReservationReader):
    @abc.abstractmethod
    def add(
        self, reservation: Reservation, *, idempotency: IdempotencyRecord | None = None
    ) -> None:
        """Store a new confirmed reservation or hold, and `idempotency` (claiming its key) if given.

        Atomically, also against concurrent units of work. Holds of the property
        that expired by `reservation.created_at` and overlap the stay take no
        nights: they are deleted first. The first refusal that applies is
        raised, and nothing is stored then:

        - `PolicyViolation`: the stay is longer than `LONGEST_STAY_NIGHTS`;
        - `IdempotencyKeyTaken`: a record holds `idempotency.key` of `idempotency.principal`
          already;
        - `UnknownProperty`: the property does not exist;
        - `DatesUnavailable`: a booking or a live hold of the property overlaps the stay.
        """

    @abc.abstractmethod
    def save(self, reservation: Reservation) -> None:
        """Store a changed status (cancellation) or expiry (confirmation) of a stored reservation.

        Raises `ReservationNotFound` when no reservation has its id.
        """

    @abc.abstractmethod
    def move(self, reservation: Reservation, *, now: dt.datetime) -> None:
        """Store a stored reservation's new stay, which may overlap its old one.

        Atomically, like `add`: holds that expired by `now` and overlap the new
        stay are deleted first; `PolicyViolation` for a stay longer than
        `LONGEST_STAY_NIGHTS`, `DatesUnavailable` when another reservation
        occupying its nights at `now` overlaps the new stay (the old one is
        kept), `ReservationNotFound` when no reservation has its id. After a
        refusal the unit of work may be unable to go on: it is rolled back.
        """

    @abc.abstractmethod
    def forget_holds_expired_by(self, cutoff: dt.datetime, limit: int) -> int:
        """Delete at most `limit` holds expired by `cutoff` (`has_expired`); say how many went."""


class ReadOnlyUnitOfWork(abc.ABC):
    """Reads, each of the data as committed before it began: `with uow: ...`.

    Cheaper than a `UnitOfWork`: it locks no rows, and there is nothing to
    commit. Two reads may see two states of the data (a unit of work may commit
    between them), so work that needs one state makes one read. Writing is not
    possible: the repositories are readers only.
    """

    properties: PropertyReader
    reservations: ReservationReader

    def __enter__(self) -> Self:
        return self

    @abc.abstractmethod
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Release what the block held; a `UnitOfWork` rolls back what was not committed."""


class UnitOfWork(ReadOnlyUnitOfWork):
    """One transaction: `with uow: ... uow.commit()`.

    Leaving the block without `commit()` rolls back, so nothing is durable
    unless the code says so. A row read by id (`get`, `get_owned`) stays as it was read
    until the block ends: another `UnitOfWork` that reads it by id or writes it
    waits until then (a `ReadOnlyUnitOfWork` may read it meanwhile, as it was
    last committed). So a read-check-write (read a reservation, check its
    status, save the change) is atomic, and of many that race on one row each
    sees what the previous one committed. Searches (`list_free`, `list_owned`) lock nothing.

    Locks rather than a check at commit (serializable isolation, row versions):
    a unit of work that meets another then waits for it instead of failing with
    an error that the caller would have to retry.
    """

    properties: PropertyRepository
    reservations: ReservationRepository
    idempotency_keys: IdempotencyKeys

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None:
        """Undo what was not committed; harmless after `commit()`."""


UnitOfWorkFactory = Callable[[], UnitOfWork]
ReadOnlyUnitOfWorkFactory = Callable[[], ReadOnlyUnitOfWork]
