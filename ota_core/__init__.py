"""OTA's domain: properties, stays and reservations, with the ports it needs.

Pure Python (the standard library and attrs); storage, clocks and id
generators plug in through `ota_core.ports`.
"""

from ota_core.dates import DateRange
from ota_core.errors import (
    Conflict,
    DatesUnavailable,
    IdempotencyKeyReused,
    IdempotencyKeyTaken,
    InvalidRequest,
    InvalidStay,
    NotFound,
    OtaError,
    PolicyViolation,
    ReservationNotFound,
    StorageUnavailable,
    UnknownProperty,
)
from ota_core.model import (
    Property,
    PropertyId,
    Reservation,
    ReservationId,
    ReservationStatus,
    parse_property_id,
)
from ota_core.policy import LONGEST_STAY_NIGHTS, AvailabilityPolicy
from ota_core.ports import (
    Clock,
    IdempotencyKeys,
    IdempotencyRecord,
    IdGenerator,
    PropertyRepository,
    ReservationRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)
from ota_core.use_cases import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    AvailabilityQuery,
    Booking,
    CancelReservation,
    ForgetIdempotencyKeys,
    GetReservation,
    MakeReservation,
    PropertyPage,
    ReservationRequest,
    SearchAvailability,
    parse_idempotency_key,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "LONGEST_STAY_NIGHTS",
    "MAX_PAGE_SIZE",
    "AvailabilityPolicy",
    "AvailabilityQuery",
    "Booking",
    "CancelReservation",
    "Clock",
    "Conflict",
    "DateRange",
    "DatesUnavailable",
    "ForgetIdempotencyKeys",
    "GetReservation",
    "IdGenerator",
    "IdempotencyKeyReused",
    "IdempotencyKeyTaken",
    "IdempotencyKeys",
    "IdempotencyRecord",
    "InvalidRequest",
    "InvalidStay",
    "MakeReservation",
    "NotFound",
    "OtaError",
    "PolicyViolation",
    "Property",
    "PropertyId",
    "PropertyPage",
    "PropertyRepository",
    "Reservation",
    "ReservationId",
    "ReservationNotFound",
    "ReservationRepository",
    "ReservationRequest",
    "ReservationStatus",
    "SearchAvailability",
    "StorageUnavailable",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UnknownProperty",
    "parse_idempotency_key",
    "parse_property_id",
]
