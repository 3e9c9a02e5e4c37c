"""Random sequences of bookings, cancellations and searches against a brute-force oracle."""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ota_adapters.memory import InMemoryStore
from ota_core import (
    AvailabilityQuery,
    DateRange,
    DatesUnavailable,
    IdempotencyKeyReused,
    Property,
    PropertyId,
    Reservation,
    ReservationId,
    ReservationRequest,
    UnknownProperty,
)
from tests.builders import GUEST, RECORDED_AT
from tests.strategies import stays
from tests.unit.conftest import build_service

PROPERTIES = ["A", "B", "C", "D"]
property_ids = st.sampled_from([*PROPERTIES, "Unknown"])
keys = st.one_of(st.none(), st.sampled_from(["k1", "k2", "k3"]))


@attrs.define
class Oracle:
    """What the service should hold, computed the slow, obvious way."""

    reservations: dict[ReservationId, Reservation] = attrs.Factory(dict)
    keys: dict[str, tuple[ReservationRequest, ReservationId]] = attrs.Factory(dict)

    def confirmed(self) -> list[Reservation]:
        return [r for r in self.reservations.values() if r.is_confirmed]

    def is_free(self, property_id: str, stay: DateRange) -> bool:
        return not any(
            r.property_id == property_id and r.blocks(stay, RECORDED_AT) for r in self.confirmed()
        )

    def free(self, stay: DateRange) -> list[str]:
        return [p for p in sorted(PROPERTIES) if self.is_free(p, stay)]

    def expected_outcome(self, request: ReservationRequest, key: str | None) -> object:
        if key in self.keys:
            earlier_request, earlier = self.keys[key]
            return (
                self.reservations[earlier] if earlier_request == request else IdempotencyKeyReused
            )
        if request.property_id not in PROPERTIES:
            return UnknownProperty
        if not self.is_free(request.property_id, request.stay):
            return DatesUnavailable
        return "booked"


class BookingMachine(RuleBasedStateMachine):
    @initialize()
    def open_the_service(self) -> None:
        self.store = InMemoryStore()
        with self.store.unit_of_work() as work:
            for property_id in PROPERTIES:
                work.properties.add(Property(PropertyId(property_id), f"Property {property_id}"))
            work.commit()
        self.service = build_service(self.store)
        self.service.clock.advance(dt.timedelta(days=3000))  # the strategies' window starts 2030
        self.oracle = Oracle()

    @rule(property_id=property_ids, stay=stays, key=keys)
    def reserve(self, property_id: str, stay: DateRange, key: str | None) -> None:
        request = ReservationRequest(PropertyId(property_id), stay)
        expected = self.oracle.expected_outcome(request, key)
        outcome: object
        try:
            outcome = self.service.book(request, key)
        except (UnknownProperty, DatesUnavailable, IdempotencyKeyReused) as refusal:
            outcome = type(refusal)
        if expected != "booked":
            assert outcome == expected
            return
        assert isinstance(outcome, Reservation)
        assert outcome.id not in self.oracle.reservations, "ids must be unique"
        self.oracle.reservations[outcome.id] = outcome
        if key is not None:
            self.oracle.keys[key] = (request, outcome.id)

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        if not self.oracle.reservations:
            return
        reservation_id = data.draw(st.sampled_from(sorted(self.oracle.reservations, key=str)))
        cancelled = self.service.cancel.execute(reservation_id, GUEST)
        self.oracle.reservations[reservation_id] = self.oracle.reservations[reservation_id].cancel()
        assert cancelled == self.oracle.reservations[reservation_id]

    @rule(stay=stays, limit=st.integers(1, 5))
    def search_pages_match_the_oracle(self, stay: DateRange, limit: int) -> None:
        found: list[str] = []
        after = None
        while True:
            page = self.service.search.execute(AvailabilityQuery(stay, after=after, limit=limit))
            found += [p.id for p in page.properties]
            if page.next_after is None:
                break
            after = page.next_after
        assert found == self.oracle.free(stay)

    @rule(stay=stays, probes=st.lists(stays, max_size=5))
    def what_search_offers_can_be_booked(self, stay: DateRange, probes: list[DateRange]) -> None:
        offered = self.service.search.execute(AvailabilityQuery(stay, limit=1)).properties
        if not offered:
            return
        booked = self.service.book(ReservationRequest(offered[0].id, stay))
        self.oracle.reservations[booked.id] = booked
        for probe in probes:
            offered_now = offered[0].id in self.service.free_ids(probe.start, probe.nights)
            assert offered_now == (
                not probe.overlaps(stay) and self.oracle.is_free(booked.property_id, probe)
            )

    @invariant()
    def confirmed_stays_of_a_property_never_overlap(self) -> None:
        if not hasattr(self, "store"):
            return
        confirmed = [r for r in self.store.reservations.values() if r.is_confirmed]
        for i, first in enumerate(confirmed):
            for second in confirmed[i + 1 :]:
                assert first.property_id != second.property_id or not first.stay.overlaps(
                    second.stay
                ), (first, second)

    @invariant()
    def the_store_holds_what_the_oracle_holds(self) -> None:
        if hasattr(self, "store"):
            assert self.store.reservations == self.oracle.reservations


TestBooking = BookingMachine.TestCase
TestBooking.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
