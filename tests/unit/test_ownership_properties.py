"""Two principals, any sequence of actions, through the use cases: each sees only their own."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given, settings

from ota_adapters.memory import InMemoryStore
from ota_adapters.sample_data import load_sample_data
from ota_core import (
    DatesUnavailable,
    IdempotencyKeyReused,
    ListReservations,
    OwnReservationsQuery,
    ReservationCursor,
    ReservationId,
    ReservationNotFound,
    ReservationRequest,
)
from tests.builders import GUEST, OTHER_GUEST
from tests.ownership_scenarios import Action, Book, actions, run
from tests.unit.conftest import SAMPLE_NOW, build_service

PRINCIPAL = {"A": GUEST, "B": OTHER_GUEST}
FIRST_DAY = SAMPLE_NOW.date() + dt.timedelta(days=400)  # past the sample data's stays


class UseCases:
    def __init__(self) -> None:
        store = InMemoryStore()
        load_sample_data(store.unit_of_work, recorded_at=SAMPLE_NOW)
        self._service = build_service(store)
        self._list = ListReservations(store.read_only_unit_of_work)

    def book(self, action: Book) -> str | None:
        start = FIRST_DAY + dt.timedelta(days=action.day)
        request = ReservationRequest.of(action.property_id, start, action.nights)
        who = PRINCIPAL[action.who]
        try:
            booking = self._service.reserve.execute(request, who, idempotency_key=action.key)
        except (DatesUnavailable, IdempotencyKeyReused):
            return None
        return str(booking.reservation.id)

    def read(self, who: str, reservation_id: str) -> str | None:
        try:
            found = self._service.get.execute(_id(reservation_id), PRINCIPAL[who])
        except ReservationNotFound:
            return None
        return found.status.value

    def list(self, who: str) -> dict[str, str]:
        shown: dict[str, str] = {}
        after: ReservationCursor | None = None
        while True:
            query = OwnReservationsQuery(PRINCIPAL[who], after=after, limit=3)
            page = self._list.execute(query)
            shown |= {str(r.id): r.status.value for r in page.reservations}
            if page.next_after is None:
                return shown
            after = page.next_after

    def cancel(self, who: str, reservation_id: str) -> bool:
        try:
            self._service.cancel.execute(_id(reservation_id), PRINCIPAL[who])
        except ReservationNotFound:
            return False
        return True


def _id(text: str) -> ReservationId:
    return ReservationId(uuid.UUID(text))


@settings(max_examples=200, deadline=None)
@given(actions)
def test_neither_principal_observes_nor_changes_the_others(steps: list[Action]) -> None:
    run(UseCases(), steps)
