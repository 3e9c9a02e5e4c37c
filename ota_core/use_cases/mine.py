"""A principal's own reservations, one page at a time."""

from __future__ import annotations

from typing import Any

import attrs

from ota_core.errors import InvalidRequest
from ota_core.listing import ReservationCursor, ReservationFilter
from ota_core.model import Reservation
from ota_core.ports import ReadOnlyUnitOfWorkFactory
from ota_core.principal import Principal

DEFAULT_RESERVATIONS_PAGE_SIZE = 20
MAX_RESERVATIONS_PAGE_SIZE = 100


def _page_size(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not 1 <= value <= MAX_RESERVATIONS_PAGE_SIZE:
        raise InvalidRequest(
            f"limit must be a whole number from 1 to {MAX_RESERVATIONS_PAGE_SIZE}", field="limit"
        )


@attrs.frozen
class OwnReservationsQuery:
    """`owner`'s reservations that `where` matches, by start date then id, after `after`."""

    owner: Principal = attrs.field(validator=attrs.validators.instance_of(Principal))
    where: ReservationFilter = attrs.field(
        factory=ReservationFilter, validator=attrs.validators.instance_of(ReservationFilter)
    )
    after: ReservationCursor | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(ReservationCursor)),
    )
    limit: int = attrs.field(default=DEFAULT_RESERVATIONS_PAGE_SIZE, validator=_page_size)


@attrs.frozen
class ReservationPage:
    """One page; `next_after` is where the next page starts, if one follows."""

    reservations: tuple[Reservation, ...]
    next_after: ReservationCursor | None


class ListReservations:
    def __init__(self, uow: ReadOnlyUnitOfWorkFactory) -> None:
        self._uow = uow

    def execute(self, query: OwnReservationsQuery) -> ReservationPage:
        with self._uow() as uow:
            # One more than asked tells whether another page follows.
            found = uow.reservations.list_owned(
                query.owner, query.where, after=query.after, limit=query.limit + 1
            )
        page = tuple(found[: query.limit])
        has_more = len(found) > query.limit
        return ReservationPage(page, ReservationCursor.of(page[-1]) if has_more else None)
