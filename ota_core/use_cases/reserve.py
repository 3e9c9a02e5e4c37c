"""Booking a stay."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import attrs

from ota_core.dates import DateRange
from ota_core.errors import (
    IdempotencyKeyReused,
    IdempotencyKeyTaken,
    InvalidRequest,
    PolicyViolation,
)
from ota_core.idempotency import IdempotencyRecord
from ota_core.model import PropertyId, Reservation, parse_property_id
from ota_core.policy import AvailabilityPolicy
from ota_core.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from ota_core.principal import Principal

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
    """Books a stay for its owner if the policy allows it and no confirmed stay overlaps it.

    With an idempotency key, the owner sending the same request again gets the
    reservation the first one made, however many times and from however many
    instances it is sent, and whatever the date is by then: a retry is never
    checked against the policy again. The key sent with a different request is
    refused. Keys are the owner's own: another principal's equal key is
    unrelated. The key is claimed with the booking, in one step of the store's.

    A request the policy refuses is looked up as a retry only then, so a first
    request pays for no lookup: the answers are those of looking up first.
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
        self, request: ReservationRequest, owner: Principal, *, idempotency_key: str | None = None
    ) -> Booking:
        now = self._clock.now()
        sent = None if idempotency_key is None else _Sent(owner, idempotency_key, request)
        try:
            self._policy.check_booking(request.stay, now)
        except PolicyViolation:
            replay = None if sent is None else self._replay(sent)
            if replay is None:
                raise
            return replay
        reservation = Reservation(
            id=self._ids.new_reservation_id(),
            property_id=request.property_id,
            stay=request.stay,
            created_at=now,
            owner=owner,
        )
        with self._uow() as uow:
            if sent is None:
                uow.reservations.add(reservation)
            else:
                claim = IdempotencyRecord(owner, sent.key, request.fingerprint, reservation.id, now)
                try:
                    uow.reservations.add(reservation, idempotency=claim)
                except IdempotencyKeyTaken:
                    earlier = sent.earlier(uow)
                    if earlier is None:  # forgotten since it was found (past its retention)
                        raise
                    return Booking(earlier, replayed=True)
            uow.commit()
        return Booking(reservation)

    def _replay(self, sent: _Sent) -> Booking | None:
        """What an earlier request with the same key made, if it was the same request."""
        with self._uow() as uow:
            earlier = sent.earlier(uow)
        return None if earlier is None else Booking(earlier, replayed=True)


@attrs.frozen
class _Sent:
    """A request sent with an idempotency key."""

    owner: Principal
    key: str
    request: ReservationRequest

    def earlier(self, uow: UnitOfWork) -> Reservation | None:
        """The reservation an earlier request with this key made, if it was the same request."""
        record = uow.idempotency_keys.get(self.owner, self.key)
        if record is None:
            return None
        if record.fingerprint != self.request.fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used with a different request",
                field="Idempotency-Key",
            )
        earlier = uow.reservations.get_owned(record.reservation_id, self.owner)
        if earlier is None:
            raise RuntimeError(f"idempotency key {self.key!r} names a missing reservation")
        return earlier
