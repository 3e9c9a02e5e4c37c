from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from ota_adapters.clock import FixedClock
from ota_adapters.ids import SequentialIds
from ota_adapters.memory import InMemoryStore
from ota_adapters.sample_data import load_sample_data
from ota_core import (
    AvailabilityPolicy,
    AvailabilityQuery,
    CancelReservation,
    ChangeStay,
    ConfirmHold,
    DateRange,
    GetCalendar,
    GetReservation,
    MakeReservation,
    PlaceHold,
    Principal,
    ReleaseHold,
    Reservation,
    ReservationRequest,
    SearchAvailability,
)
from tests.builders import GUEST

# The sample data's January 2021 is still ahead on this clock.
SAMPLE_NOW = dt.datetime(2021, 1, 1, 12, 0, tzinfo=dt.UTC)
HOLD_TTL = dt.timedelta(minutes=10)


@attrs.frozen
class Service:
    """The use cases wired to one in-memory store, as the web layer wires them."""

    store: InMemoryStore
    clock: FixedClock
    search: SearchAvailability
    reserve: MakeReservation
    get: GetReservation
    cancel: CancelReservation
    hold: PlaceHold
    confirm: ConfirmHold
    release: ReleaseHold
    change: ChangeStay
    calendar: GetCalendar

    def book(
        self, request: ReservationRequest, key: str | None = None, owner: Principal = GUEST
    ) -> Reservation:
        """Book through the use case for `owner` and return the reservation it reports."""
        return self.reserve.execute(request, owner, idempotency_key=key).reservation

    def free_ids(self, start: dt.date, nights: int, **page: Any) -> list[str]:
        """Ids of the properties free for `nights` from `start`, one page."""
        query = AvailabilityQuery(DateRange.from_nights(start, nights), **page)
        return [p.id for p in self.search.execute(query).properties]


def build_service(store: InMemoryStore, policy: AvailabilityPolicy | None = None) -> Service:
    policy = policy or AvailabilityPolicy()
    clock = FixedClock(SAMPLE_NOW)
    uow, reading = store.unit_of_work, store.read_only_unit_of_work
    ids = SequentialIds()
    return Service(
        store=store,
        clock=clock,
        search=SearchAvailability(reading, policy, clock),
        reserve=MakeReservation(uow, policy, clock, ids),
        get=GetReservation(reading),
        cancel=CancelReservation(uow, policy, clock),
        hold=PlaceHold(uow, policy, clock, ids, HOLD_TTL),
        confirm=ConfirmHold(uow, clock),
        release=ReleaseHold(uow),
        change=ChangeStay(uow, policy, clock),
        calendar=GetCalendar(reading, clock),
    )


@pytest.fixture
def service() -> Service:
    store = InMemoryStore()
    load_sample_data(store.unit_of_work, recorded_at=SAMPLE_NOW)
    return build_service(store)
