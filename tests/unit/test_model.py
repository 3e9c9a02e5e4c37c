from __future__ import annotations

import datetime as dt
import string
import unicodedata
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ota_core import (
    DateRange,
    InvalidRequest,
    Property,
    PropertyId,
    Reservation,
    ReservationId,
    ReservationStatus,
    parse_property_id,
)
from ota_core.model import PROPERTY_ID_MAX_LENGTH
from tests.builders import RECORDED_AT, a_reservation, stay


@pytest.mark.parametrize("raw", ["xE6vqTqA6LTwpE", "a", "ünïcödé", "x" * 64, "a-b_c.d"])
def test_printable_property_ids_are_accepted_as_given(raw: str) -> None:
    assert parse_property_id(raw) == raw


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "1 to 64 characters"),
        ("x" * 65, "1 to 64 characters"),
        ("with space", "spaces or control"),
        ("nul\x00byte", "spaces or control"),
        ("tab\tbed", "spaces or control"),
        ("bidi\u202eoverride", "spaces or control"),
        (42, "must be a string"),
        (None, "must be a string"),
    ],
)
def test_malformed_property_ids_are_refused_with_the_reason(raw: object, why: str) -> None:
    with pytest.raises(InvalidRequest, match=why) as refused:
        parse_property_id(raw)
    assert refused.value.field == "property_id"


@pytest.mark.parametrize("raw", ["", "x" * 65, "with space", "nul\x00byte", 42])
def test_a_property_validates_its_id(raw: object) -> None:
    with pytest.raises(InvalidRequest):
        Property(raw, "a flat")  # type: ignore[arg-type]


def test_a_property_takes_any_printable_id_not_only_ascii() -> None:
    assert Property(PropertyId("ünïcödé-1"), "a flat").id == "ünïcödé-1"


def test_a_property_description_is_text() -> None:
    with pytest.raises(TypeError, match="description must be a string"):
        Property(PropertyId("P1"), None)  # type: ignore[arg-type]


def test_a_reservation_is_confirmed_until_cancelled() -> None:
    reservation = a_reservation("P1", stay(0, 3))
    cancelled = reservation.cancel()
    assert reservation.is_confirmed
    assert cancelled.status is ReservationStatus.CANCELLED
    assert (cancelled.id, cancelled.stay) == (reservation.id, reservation.stay)


def test_only_a_confirmed_reservation_blocks_overlapping_stays() -> None:
    reservation = a_reservation("P1", stay(0, 3))
    assert reservation.blocks(stay(2, 5), RECORDED_AT)
    assert not reservation.blocks(stay(3, 5), RECORDED_AT)
    assert not reservation.cancel().blocks(stay(2, 5), RECORDED_AT)


def test_a_reservation_needs_an_aware_creation_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Reservation(
            id=ReservationId(uuid.uuid4()),
            property_id=PropertyId("P1"),
            stay=DateRange.from_nights(dt.date(2030, 1, 1), 1),
            created_at=dt.datetime(2030, 1, 1),  # noqa: DTZ001 - the point of the test
        )


def test_a_reservation_id_must_be_a_uuid() -> None:
    with pytest.raises(TypeError, match="must be a UUID"):
        Reservation(
            id="not-a-uuid",  # type: ignore[arg-type]
            property_id=PropertyId("P1"),
            stay=DateRange.from_nights(dt.date(2030, 1, 1), 1),
            created_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        )


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("property_id", "two words", "must not contain spaces"),
        ("stay", (dt.date(2030, 1, 1), dt.date(2030, 1, 2)), "stay must be a DateRange"),
        ("created_at", dt.date(2030, 1, 1), "created_at must be a datetime"),
        ("status", "confirmed", "status must be a ReservationStatus"),
    ],
)
def test_a_reservation_refuses_a_field_of_the_wrong_kind(
    field: str, value: object, why: str
) -> None:
    fields: dict[str, object] = {
        "id": ReservationId(uuid.uuid4()),
        "property_id": PropertyId("P1"),
        "stay": DateRange.from_nights(dt.date(2030, 1, 1), 1),
        "created_at": dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    }
    with pytest.raises((TypeError, InvalidRequest), match=why):
        Reservation(**(fields | {field: value}))  # type: ignore[arg-type]


def _printable_without_spaces(raw: str) -> bool:
    """The rule for property ids, written out character by character."""
    return 1 <= len(raw) <= PROPERTY_ID_MAX_LENGTH and not any(
        char.isspace() or unicodedata.category(char).startswith("C") for char in raw
    )


@given(st.text(max_size=70) | st.text(alphabet=string.ascii_letters + string.digits, max_size=70))
def test_a_property_id_is_taken_exactly_when_the_rule_allows_it(raw: str) -> None:
    try:
        parse_property_id(raw)
    except InvalidRequest:
        assert not _printable_without_spaces(raw)
    else:
        assert _printable_without_spaces(raw)
