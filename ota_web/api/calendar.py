"""`GET /properties/{property_id}/calendar`: a property's taken and free nights."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import Response, request

from ota_core import GetCalendar, calendar_window, parse_property_id
from ota_web.api.blueprint import api
from ota_web.api.parsing import json_response, query_of
from ota_web.container import Container
from ota_web.stay_schemas import CalendarQuery, calendar_out


@api.get("/properties/<property_id>/calendar")
@inject
def calendar(
    property_id: str,
    get: GetCalendar = Provide[Container.get_calendar],
) -> Response:
    params = query_of(CalendarQuery, request)
    window = calendar_window(params.start, params.end)
    wanted = parse_property_id(property_id)
    return json_response(calendar_out(wanted, get.execute(wanted, window)))
