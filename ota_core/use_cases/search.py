"""Searching for properties free over a stay, one page at a time."""

from __future__ import annotations

from typing import Any

import attrs

from ota_core.dates import DateRange
from ota_core.errors import InvalidRequest
from ota_core.model import Property, PropertyId, parse_property_id
from ota_core.policy import AvailabilityPolicy
from ota_core.ports import Clock, ReadOnlyUnitOfWorkFactory

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def _page_size(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidRequest(
            f"limit must be a whole number from 1 to {MAX_PAGE_SIZE}", field="limit"
        )


def _cursor(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        try:
            parse_property_id(value)
        except InvalidRequest as error:
            raise InvalidRequest(f"after: {error.message}", field="after") from None


@attrs.frozen
class AvailabilityQuery:
    """Properties free over `stay`, ordered by id, from the one after `after`."""

    stay: DateRange = attrs.field(validator=attrs.validators.instance_of(DateRange))
    after: PropertyId | None = attrs.field(default=None, validator=_cursor)
    limit: int = attrs.field(default=DEFAULT_PAGE_SIZE, validator=_page_size)


@attrs.frozen
class PropertyPage:
    """One page of results; `next_after` is the cursor of the next page, if any."""

    properties: tuple[Property, ...]
    next_after: PropertyId | None


class SearchAvailability:
    """Properties free over a stay as of now: live holds take nights, expired ones none."""

    def __init__(
        self, uow: ReadOnlyUnitOfWorkFactory, policy: AvailabilityPolicy, clock: Clock
    ) -> None:
        self._uow = uow
        self._policy = policy
        self._clock = clock

    def execute(self, query: AvailabilityQuery) -> PropertyPage:
        self._policy.check_search(query.stay)
        now = self._clock.now()
        with self._uow() as uow:
            # One more than asked tells whether another page follows.
            found = uow.properties.list_free(
                query.stay, after=query.after, limit=query.limit + 1, now=now
            )
        page = tuple(found[: query.limit])
        has_more = len(found) > query.limit
        return PropertyPage(page, next_after=page[-1].id if has_more else None)
