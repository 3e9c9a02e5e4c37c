"""The conditions the domain reports, as one small hierarchy.

Each class names a condition, not a transport: the web layer maps the
branches (`InvalidRequest`, `NotFound`, `Conflict`, ...) to HTTP in one place.
"""

from __future__ import annotations


class OtaError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "ota_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidRequest(OtaError):
    """The request cannot be carried out as asked; asking again will not help."""

    code = "invalid_request"


class InvalidStay(InvalidRequest):
    """The dates do not describe a stay (no nights, or past the calendar's end)."""

    code = "invalid_stay"


class PolicyViolation(InvalidRequest):
    """A well-formed stay that the availability policy does not allow."""

    code = "policy_violation"


class UnknownProperty(InvalidRequest):
    """No property has the given id."""

    code = "unknown_property"

    @classmethod
    def of(cls, property_id: str) -> UnknownProperty:
        return cls(f"no property has id {property_id!r}", field="property_id")


class NotFound(OtaError):
    """The thing asked for does not exist."""

    code = "not_found"


class ReservationNotFound(NotFound):
    code = "reservation_not_found"

    @classmethod
    def of(cls, reservation_id: object) -> ReservationNotFound:
        return cls(f"no reservation has id {reservation_id}")


class PropertyNotFound(NotFound):
    code = "property_not_found"

    @classmethod
    def of(cls, property_id: str) -> PropertyNotFound:
        return cls(f"no property has id {property_id!r}")


class HoldNotFound(NotFound):
    code = "hold_not_found"

    @classmethod
    def of(cls, hold_id: object) -> HoldNotFound:
        return cls(f"no hold has id {hold_id}")


class Conflict(OtaError):
    """The request is valid but clashes with the current state."""

    code = "conflict"


class DatesUnavailable(Conflict):
    """A confirmed stay of the property already occupies some of the nights."""

    code = "dates_unavailable"

    @classmethod
    def of(cls, property_id: str, stay: object) -> DatesUnavailable:
        return cls(f"property {property_id} is not free for {stay}")


class StayAlreadyBegun(Conflict):
    """A reservation whose stay has begun (or ended) cannot be cancelled any more."""

    code = "stay_already_begun"


class ReservationCancelled(Conflict):
    """The reservation was cancelled: it has no nights left to change."""

    code = "reservation_cancelled"

    @classmethod
    def of(cls, reservation_id: object) -> ReservationCancelled:
        return cls(f"reservation {reservation_id} is cancelled")


class Gone(OtaError):
    """The thing asked for existed, but its time is over."""

    code = "gone"


class HoldExpired(Gone):
    code = "hold_expired"

    @classmethod
    def of(cls, hold_id: object) -> HoldExpired:
        return cls(f"hold {hold_id} has expired: its nights are no longer held")


class HoldReleased(Gone):
    code = "hold_released"

    @classmethod
    def of(cls, hold_id: object) -> HoldReleased:
        return cls(f"hold {hold_id} was released: its nights are no longer held")


class IdempotencyKeyReused(OtaError):
    """An idempotency key was sent again with a different request."""

    code = "idempotency_key_reused"


class IdempotencyKeyTaken(OtaError):
    """A store's refusal: a record of an earlier request holds the idempotency key.

    `MakeReservation` answers with that request's reservation instead; a client
    sees it only if the record was forgotten meanwhile, and may then send again.
    """

    code = "idempotency_key_taken"

    @classmethod
    def of(cls, key: str) -> IdempotencyKeyTaken:
        return cls(f"idempotency key {key!r} is already in use")


class StorageUnavailable(OtaError):
    """The storage cannot be reached right now; the request may be retried."""

    code = "storage_unavailable"
