"""The requests the fault tests send, and what a well-behaved answer to them is."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.live import Answer

SEARCH = "/api/v1/properties/available?start_date=2021-01-04&nights=3"
RESERVATIONS = "/api/v1/reservations"
PROPERTIES = (
    "1BlCOXqGH2MZb2", "ApkY2fkDHhlsVY", "H75e1FjJFudcbC", "SnbrmRLFxOhCAT", "djddZlw8apLVfi",
    "g3hbWxJ5TdXidt", "xE6vqTqA6LTwpE",
)  # fmt: skip
PROBLEM_JSON = "application/problem+json"


def booking(property_number: int, days_ahead: int, nights: int = 1) -> dict[str, object]:
    """A booking body: one of the sample properties, `days_ahead` days from today (UTC)."""
    start = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days_ahead)
    return {
        "property_id": PROPERTIES[property_number % len(PROPERTIES)],
        "start_date": start.isoformat(),
        "nights": nights,
    }


def a_reservation_path() -> str:
    return f"{RESERVATIONS}/{uuid.uuid4()}"


def unavailable_problems(answer: Answer) -> list[str]:
    """What is wrong with `answer` as a 503 of an unreachable database (empty when right)."""
    problems = []
    if answer.status != 503:
        problems.append(f"status {answer.status}")
    if answer.headers.get("Content-Type") != PROBLEM_JSON:
        problems.append(f"content type {answer.headers.get('Content-Type')}")
    if not answer.headers.get("Retry-After", "").isdigit():
        problems.append("no Retry-After")
    body = answer.json() if answer.headers.get("Content-Type") == PROBLEM_JSON else {}
    if body.get("code") != "storage_unavailable":
        problems.append(f"code {body.get('code')}")
    return problems
