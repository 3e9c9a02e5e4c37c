"""The requests the fault tests send, the server size they run, and what a 503 must be."""

from __future__ import annotations

import uuid

from tests.live import Answer

SEARCH = "/api/v1/properties/available?start_date=2021-01-04&nights=3"
RESERVATIONS = "/api/v1/reservations"
PROBLEM_JSON = "application/problem+json"
# Small servers: 2 workers of 4 threads start fast on 2 cores and hold enough requests.
SMALL = {"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "4"}


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
