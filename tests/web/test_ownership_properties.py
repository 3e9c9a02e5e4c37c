"""Two principals, any sequence of actions, over HTTP: each sees only their own."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from werkzeug.test import TestResponse

from tests.ownership_scenarios import Action, Book, actions, run
from tests.web.support import NOW, RESERVATIONS, a_token, build_app, json_of

FIRST_DAY = NOW.date() + dt.timedelta(days=30)


class Http:
    def __init__(self, client: object) -> None:
        self._client = client
        self._auth = {who: {"Authorization": f"Bearer {a_token()}"} for who in ("A", "B")}

    def _call(self, method: str, path: str, who: str, **extra: object) -> TestResponse:
        headers = self._auth[who] | extra.pop("headers", {})  # type: ignore[operator]
        return self._client.open(path, method=method, headers=headers, **extra)  # type: ignore[attr-defined,no-any-return]

    def book(self, action: Book) -> str | None:
        start = FIRST_DAY + dt.timedelta(days=action.day)
        body = {"property_id": action.property_id, "start_date": start.isoformat(),
                "nights": action.nights}  # fmt: skip
        key = {} if action.key is None else {"Idempotency-Key": action.key}
        answer = self._call("POST", RESERVATIONS, action.who, json=body, headers=key)
        if answer.status_code in (409, 422):
            return None
        made: str = json_of(answer)["reservation_id"]
        return made

    def read(self, who: str, reservation_id: str) -> str | None:
        answer = self._call("GET", f"{RESERVATIONS}/{reservation_id}", who)
        if answer.status_code == 404:
            return None
        status: str = json_of(answer)["status"]
        return status

    def list(self, who: str) -> dict[str, str]:
        shown: dict[str, str] = {}
        query = "limit=3"
        while True:
            page = json_of(self._call("GET", f"{RESERVATIONS}?{query}", who))
            shown |= {r["reservation_id"]: r["status"] for r in page["reservations"]}
            if page["next"] is None:
                return shown
            query = f"limit=3&after={page['next']}"

    def cancel(self, who: str, reservation_id: str) -> bool:
        answer = self._call("DELETE", f"{RESERVATIONS}/{reservation_id}", who)
        assert answer.status_code in (204, 404), answer.get_data(as_text=True)
        return answer.status_code == 204


@settings(max_examples=40, deadline=None)
@given(actions)
def test_neither_principal_observes_nor_changes_the_others_over_http(steps: list[Action]) -> None:
    app = build_app()
    try:
        run(Http(app.test_client()), steps)
    finally:
        app.container.unwire()
