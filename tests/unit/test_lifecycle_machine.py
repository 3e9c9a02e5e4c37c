"""Random lives of stays: book, hold, confirm, expire, change, release and cancel.

Whatever happens, no two stays that take nights at the clock's time overlap, a
request succeeds exactly when an obvious oracle says the nights are free, and
search agrees with every property's calendar.
"""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from ota_adapters.memory import InMemoryStore
from ota_core import (
    AvailabilityQuery,
    DateRange,
    DatesUnavailable,
    HoldExpired,
    HoldNotFound,
    HoldReleased,
    Property,
    PropertyId,
    Reservation,
    ReservationCancelled,
    ReservationId,
    ReservationRequest,
    StayChange,
)
from tests.builders import GUEST
from tests.strategies import FIRST_DAY, WINDOW_DAYS, days, nights, stays
from tests.unit.conftest import build_service

PROPERTIES = ["A", "B", "C"]
property_ids = st.sampled_from(PROPERTIES)
NEVER_MADE = ReservationId(uuid.UUID(int=0))
WHOLE_WINDOW = DateRange.from_nights(FIRST_DAY, WINDOW_DAYS + 20)


class LifecycleMachine(RuleBasedStateMachine):
    made = Bundle("made")

    @initialize()
    def open_the_service(self) -> None:
        self.store = InMemoryStore()
        with self.store.unit_of_work() as work:
            for property_id in PROPERTIES:
                work.properties.add(Property(PropertyId(property_id), f"Property {property_id}"))
            work.commit()
        self.service = build_service(self.store)
        self.service.clock.advance(dt.timedelta(days=3000))  # the strategies' window starts 2030
        self.oracle: dict[ReservationId, Reservation] = {}

    def _now(self) -> dt.datetime:
        return self.service.clock.now()

    def _free(self, property_id: str, stay: DateRange, apart_from: object = None) -> bool:
        return not any(
            r.property_id == property_id and r.id != apart_from and r.blocks(stay, self._now())
            for r in self.oracle.values()
        )

    @rule(target=made, property_id=property_ids, stay=stays, as_hold=st.booleans())
    def book_or_hold(self, property_id: str, stay: DateRange, as_hold: bool) -> ReservationId:
        request = ReservationRequest(PropertyId(property_id), stay)
        free = self._free(property_id, stay)
        try:
            made = (
                self.service.hold.execute(request, GUEST) if as_hold else self.service.book(request)
            )
        except DatesUnavailable:
            assert not free
            return NEVER_MADE
        assert free
        self.oracle[made.id] = made
        return made.id

    @rule(minutes=st.integers(1, 15))
    def time_passes(self, minutes: int) -> None:
        self.service.clock.advance(dt.timedelta(minutes=minutes))

    @rule(reservation_id=made)
    def confirm(self, reservation_id: ReservationId) -> None:
        known = self.oracle.get(reservation_id)
        try:
            confirmed = self.service.confirm.execute(reservation_id, GUEST).reservation
        except HoldExpired:
            assert known is not None
            assert known.is_confirmed
            assert known.has_expired(self._now())
            return
        except HoldReleased:
            assert known is not None
            assert known.is_hold
            assert not known.is_confirmed
            return
        except HoldNotFound:
            # Never made, a cancelled booking, or an expired hold deleted since.
            assert known is None or not known.occupies(self._now())
            return
        assert known is not None
        assert known.occupies(self._now())
        self.oracle[reservation_id] = known.confirm()
        assert confirmed == known.confirm()

    @rule(reservation_id=made)
    def release_or_cancel(self, reservation_id: ReservationId) -> None:
        known = self.oracle.get(reservation_id)
        if known is None or (known.is_hold and known.has_expired(self._now())):
            return  # nothing to say: an expired hold may be gone or not
        if known.is_hold:
            self.oracle[reservation_id] = self.service.release.execute(reservation_id, GUEST)
        else:
            self.oracle[reservation_id] = self.service.cancel.execute(reservation_id, GUEST)
        assert not self.oracle[reservation_id].is_confirmed

    @rule(reservation_id=made, start=days, length=nights)
    def change(self, reservation_id: ReservationId, start: dt.date, length: int) -> None:
        known = self.oracle.get(reservation_id)
        if known is None or known.is_hold:
            return
        wanted = DateRange.from_nights(start, length)
        try:
            moved = self.service.change.execute(reservation_id, GUEST, StayChange(start, length))
        except ReservationCancelled:
            assert not known.is_confirmed
            return
        except DatesUnavailable:
            assert not self._free(known.property_id, wanted, apart_from=reservation_id)
            return
        assert known.is_confirmed
        assert self._free(known.property_id, wanted, apart_from=reservation_id)
        self.oracle[reservation_id] = moved
        assert moved.stay == wanted

    @rule(stay=stays)
    def search_agrees_with_the_calendars(self, stay: DateRange) -> None:
        found = self.service.search.execute(AvailabilityQuery(stay, limit=10)).properties
        calendar = self.service.calendar.execute
        calendars = {p: calendar(PropertyId(p), WHOLE_WINDOW) for p in PROPERTIES}
        assert [p.id for p in found] == [p for p in PROPERTIES if calendars[p].is_free(stay)]
        assert [p.id for p in found] == [p for p in PROPERTIES if self._free(p, stay)]

    @invariant()
    def stays_taking_nights_never_overlap(self) -> None:
        if not hasattr(self, "store"):
            return
        now = self._now()
        taking = [r for r in self.store.reservations.values() if r.occupies(now)]
        for i, first in enumerate(taking):
            for second in taking[i + 1 :]:
                assert first.property_id != second.property_id or not first.stay.overlaps(
                    second.stay
                ), (first, second)


TestLifecycle = LifecycleMachine.TestCase
TestLifecycle.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
