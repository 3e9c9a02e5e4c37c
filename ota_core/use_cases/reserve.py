"""Booking a stay."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import attrs

from ota_core.dates import DateRange
from ota_core.errors import IdempotencyKeyReused, IdempotencyKeyTaken, InvalidRequest
from ota_core.model import PropertyId, Reservation, parse_property_id
from ota_core.policy import AvailabilityPolicy
from ota_core.ports import Clock, IdempotencyRecord, IdGenerator, UnitOfWork, UnitOfWorkFactory

IDEMPOTENCY_KEY_MAX_LENGTH = 255


def parse_idempotency_key(raw: str) -> str:
    """An idempotency key from untrusted input: 1-255 printable characters."""
    if not 1 <= len(raw) <= IDEMPOTENCY_KEY_MAX_LENGTH:
        raise InvalidRequest(
            f"Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} characters long",
            field="Idempotency-Key",
        )
    if any(unicodedata.category(char)[0] == "C" for char in raw):
        raise InvalidRequest(
            "Idempotency-Key must not contain control characters", field="Idempotency-Key"
        )
    return raw


def _property_id(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    parse_property_id(value)


@attrs.frozen
class ReservationRequest:
    property_id: PropertyId = attrs.field(validator=_property_id)
    stay: DateRange = attrs.field(validator=attrs.validators.instance_of(DateRange))

    @classmethod
    def of(cls, property_id: str, start_date: dt.date, nights: int) -> ReservationRequest:
        return cls(parse_property_id(property_id), DateRange.from_nights(start_date, nights))

    @property
    def fingerprint(self) -> str:
        """Identifies the request, to tell a retry from a reused idempotency key."""
        return f"{self.property_id}/{self.stay.start.isoformat()}/{self.stay.nights}"


@attrs.frozen
class Booking:
    """What a booking request led to.

    `replayed` is true when an earlier request with the same idempotency key
    made `reservation`, and this one only reports it.
    """

    reservation: Reservation
    replayed: bool = False


class MakeReservation:
    """Books a stay if the policy allows it and no confirmed stay overlaps it.

    With an idempotency key, sending the same request again returns the
    reservation the first one made, however many times and from however many
    instances it is sent; the key sent with a different request is refused.
    The key is claimed with the booking, in one step of the store's.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        policy: AvailabilityPolicy,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._uow = uow
        self._policy = policy
        self._clock = clock
        self._ids = ids

    def execute(
        self, request: ReservationRequest, *, idempotency_key: str | None = None
    ) -> Booking:
        now = self._clock.now()
        self._policy.check_booking(request.stay, now)
        reservation = Reservation(
            id=self._ids.new_reservation_id(),
            property_id=request.property_id,
            stay=request.stay,
            created_at=now,
        )
        with self._uow() as uow:
            if idempotency_key is None:
                uow.reservations.add(reservation)
            else:
                claim = IdempotencyRecord(idempotency_key, request.fingerprint, reservation.id, now)
                try:
                    uow.reservations.add(reservation, idempotency=claim)
                except IdempotencyKeyTaken:
                    return Booking(self._earlier(uow, claim), replayed=True)
            uow.commit()
        return Booking(reservation)

    @staticmethod
    def _earlier(uow: UnitOfWork, claim: IdempotencyRecord) -> Reservation:
        """The reservation made by the request that holds `claim.key`, if it was the same one."""
        record = uow.idempotency_keys.get(claim.key)
        if record is None:  # forgotten since it was found (past its retention)
            raise IdempotencyKeyTaken.of(claim.key)
        if record.fingerprint != claim.fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used with a different request",
                field="Idempotency-Key",
            )
        earlier = uow.reservations.get(record.reservation_id)
        if earlier is None:
            raise RuntimeError(f"idempotency key {claim.key!r} names a missing reservation")
        return earlier
