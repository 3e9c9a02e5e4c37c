"""`GET /properties/available`: properties free over a stay, a page at a time."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import Response, request

from ota_core import AvailabilityQuery, DateRange, NotFound, SearchAvailability
from ota_web.api.blueprint import api
from ota_web.api.parsing import json_response, query_of
from ota_web.container import Container
from ota_web.schemas import SearchQuery, search_page


class NoPropertyAvailable(NotFound):
    """The first page is empty: no property at all is free for the stay (the brief's 404)."""

    code = "no_property_available"


@api.get("/properties/available")
@inject
def available_properties(
    search: SearchAvailability = Provide[Container.search_availability],
) -> Response:
    params = query_of(SearchQuery, request)
    stay = DateRange.from_nights(params.start_date, params.nights)
    page = search.execute(AvailabilityQuery(stay, after=params.after, limit=params.limit))
    if not page.properties and params.after is None:
        raise NoPropertyAvailable(f"no property is free for {stay}")
    return json_response(search_page(page))
