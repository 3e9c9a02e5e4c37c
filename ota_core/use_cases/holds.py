"""Holding a stay while the guest pays, then confirming or releasing it."""

from __future__ import annotations

import datetime as dt

from ota_core.errors import (
    HoldExpired,
    HoldNotFound,
    HoldReleased,
    IdempotencyKeyReused,
    IdempotencyKeyTaken,
)
from ota_core.idempotency import IdempotencyRecord
from ota_core.model import Reservation, ReservationId
from ota_core.policy import AvailabilityPolicy
from ota_core.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from ota_core.principal import Principal
from ota_core.use_cases.reserve import Booking, ReservationRequest


class PlaceHold:
    """Takes a stay's nights for `ttl`, as a booking would, if the policy allows it.

    Until it expires the hold refuses every other booking, hold or change of
    those nights; from then on it takes none, whether or not anything deleted it.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        policy: AvailabilityPolicy,
        clock: Clock,
        ids: IdGenerator,
        ttl: dt.timedelta,
    ) -> None:
        if ttl <= dt.timedelta(0):
            raise ValueError(f"a hold's time to live must be positive, got {ttl}")
        self._uow = uow
        self._policy = policy
        self._clock = clock
        self._ids = ids
        self._ttl = ttl

    def execute(self, request: ReservationRequest, owner: Principal) -> Reservation:
        now = self._clock.now()
        self._policy.check_booking(request.stay, now)
        hold = Reservation(
            id=self._ids.new_reservation_id(),
            property_id=request.property_id,
            stay=request.stay,
            created_at=now,
            owner=owner,
            expires_at=now + self._ttl,
        )
        with self._uow() as uow:
            uow.reservations.add(hold)
            uow.commit()
        return hold


def _hold(uow: UnitOfWork, hold_id: ReservationId, owner: Principal) -> Reservation:
    """The reservation of `hold_id`, read (and locked) by id, if `owner`'s; else `HoldNotFound`,
    as for an unknown id."""
    hold = uow.reservations.get_owned(hold_id, owner)
    if hold is None:
        raise HoldNotFound.of(hold_id)
    return hold


class ConfirmHold:
    """Turns a live hold into a booking under the same id.

    Only the hold's owner may confirm it. The hold's row stays locked from the read
    to the commit, so a confirmation and anything that would delete the expired
    hold never both succeed. A hold confirmed already is answered again
    (`replayed`); with an idempotency key, so is a request sent again, and the key
    sent with another request is refused.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def execute(
        self, hold_id: ReservationId, owner: Principal, *, idempotency_key: str | None = None
    ) -> Booking:
        now = self._clock.now()
        claim = None
        if idempotency_key is not None:
            claim = IdempotencyRecord(owner, idempotency_key, f"confirm/{hold_id}", hold_id, now)
        with self._uow() as uow:
            hold = _hold(uow, hold_id, owner)
            if not _still_a_live_hold(hold, now):
                if claim is not None:
                    _check_not_reused(uow, claim)
                return Booking(hold, replayed=True)
            confirmed = hold.confirm()
            uow.reservations.save(confirmed)
            if claim is not None:
                try:
                    uow.idempotency_keys.add(claim)
                except IdempotencyKeyTaken:
                    return _replay(uow, claim)  # rolls this confirmation back
            uow.commit()
        return Booking(confirmed)


def _still_a_live_hold(hold: Reservation, now: dt.datetime) -> bool:
    """True for a live hold, false for one confirmed already; otherwise why it cannot be."""
    if not hold.is_hold:
        if not hold.is_confirmed:
            raise HoldNotFound.of(hold.id)  # a booking since cancelled
        return False
    if not hold.is_confirmed:
        raise HoldReleased.of(hold.id)
    if hold.has_expired(now):
        raise HoldExpired.of(hold.id)
    return True


def _check_not_reused(uow: UnitOfWork, claim: IdempotencyRecord) -> None:
    record = uow.idempotency_keys.get(claim.principal, claim.key)
    if record is not None and record.fingerprint != claim.fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used with a different request",
            field="Idempotency-Key",
        )


def _replay(uow: UnitOfWork, claim: IdempotencyRecord) -> Booking:
    """The answer to a confirmation whose key another request holds."""
    if uow.idempotency_keys.get(claim.principal, claim.key) is None:  # forgotten since
        raise IdempotencyKeyTaken.of(claim.key)
    _check_not_reused(uow, claim)
    return Booking(_hold(uow, claim.reservation_id, claim.principal), replayed=True)


class ReleaseHold:
    """Gives the owner's hold's nights back at once; releasing it again changes nothing."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def execute(self, hold_id: ReservationId, owner: Principal) -> Reservation:
        with self._uow() as uow:
            hold = _hold(uow, hold_id, owner)
            if not hold.is_hold:
                raise HoldNotFound.of(hold_id)  # a booking: cancelled as a reservation
            if not hold.is_confirmed:
                return hold
            released = hold.cancel()
            uow.reservations.save(released)
            uow.commit()
        return released
