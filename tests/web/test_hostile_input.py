"""Hostile and malformed input on every route: a documented 4xx, and the database unchanged.

Hypothesis builds requests from pieces an attacker or a broken client
sends: malformed JSON, wrong content types, bodies over the limit, control
and non-ASCII characters, SQL in ids, nights of 0, -1 or 10^12, dates at the
ends of the calendar, repeated parameters, very long values. Every answer
must be one the app's OpenAPI document lists for the route (a problem
document for every 4xx), and no write gets through: each request that could
write carries at least one bad piece, and the tables hold the same rows
afterwards. Requests on PostgreSQL run on each server.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.postgres_servers import TABLES
from tests.web.documented import Document
from tests.web.support import EACH_STORAGE, RESERVATIONS, SEARCH, TOKEN

EXAMPLES = 300
DOCUMENT = Document()

SQL = [
    "' OR '1'='1",
    "1; DROP TABLE reservation; --",
    "'); DELETE FROM property; --",
    "x' UNION SELECT property_id, description FROM property --",
    '" OR ""="',
    "1' AND pg_sleep(5) IS NULL --",
    "$$; TRUNCATE reservation; $$",
    "\\'; COMMIT; --",
]
ODD_TEXT = [
    "", " ", "\x00", "a\x00b", "\x1b[31m", "\u202e", "\ufeff", "é", "😀", "\U0001d518",
    "\t\n", "%00", "%", "../../etc/passwd", "null", "[]", "{}", "NaN", "x" * 5000,
]  # fmt: skip
NIGHTS = [0, -1, 10**12, 2**31, 2**63, -(10**12), 366, 10**40, 1.5, "3", True, None, [], {}]
DATES = [
    "0001-01-01", "9999-12-31", "9999-12-30", "0000-01-01", "2021-02-30", "2021-13-01",
    "+2021-01-01", "2021-1-1", "20210104", "2021-01-04T00:00:00", "99999-01-01", "",
]  # fmt: skip
CONTENT_TYPES = [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "application/jsonx", "application/problem+json", "", "application/json; charset=latin-1",
    "*/*",
]  # fmt: skip

text = st.one_of(st.sampled_from(SQL + ODD_TEXT), st.text(max_size=80))
# What a header can carry: latin-1, no line breaks.
header_text = text.map(
    lambda t: t.encode("latin-1", "ignore").decode("latin-1").replace("\r", "").replace("\n", "")
)
# Values that name no property, or are no valid date or number of nights.
bad_property_id = st.one_of(
    st.sampled_from([*SQL, "", "x" * 65, "a b", "a\x00b"]),
    st.text(max_size=200).filter(lambda t: not t.isalnum()),
)
bad_date = st.one_of(st.sampled_from(DATES), text, st.integers(), st.none())
bad_nights = st.sampled_from(NIGHTS)
good = {
    "property_id": st.sampled_from(["g3hbWxJ5TdXidt", "1BlCOXqGH2MZb2"]),
    "start_date": st.sampled_from(["2027-06-01", "2027-01-10"]),
    "nights": st.integers(1, 30),
}
bad = {"property_id": bad_property_id, "start_date": bad_date, "nights": bad_nights}


@attrs.frozen
class Hostile:
    method: str
    path: str
    headers: dict[str, str] = attrs.field(factory=dict)
    body: bytes | None = None
    content_type: str | None = None
    authorization: str | None = f"Bearer {TOKEN}"  # None: no Authorization header
    writes: bool = False  # whether the route could change the database if it accepted it


def _query(pairs: list[tuple[str, object]]) -> str:
    return "&".join(f"{urllib.parse.quote(k)}={urllib.parse.quote(str(v))}" for k, v in pairs)


@st.composite
def booking_bodies(draw: st.DrawFn) -> bytes:
    """A body with at least one bad member, or one that is not a booking at all."""
    spoiled = draw(st.sampled_from([*bad, "extra", "missing"]))
    members: dict[str, Any] = {
        name: draw(bad[name] if name == spoiled else st.one_of(good[name], bad[name]))
        for name in good
    }
    if spoiled == "extra":
        members[draw(text)] = draw(text)
        members.setdefault("guests", 2)
    if spoiled == "missing":
        del members[draw(st.sampled_from(sorted(good)))]
    shapes = [
        st.just(json.dumps(members).encode()),
        st.binary(max_size=200),
        st.sampled_from([b"", b"{", b"null", b"[1]", b"\xff\xfe{}", b'{"a":1,"a":2}']),
        st.just(json.dumps(members).encode() + b" " * 17_000),  # over the 16 KiB limit
    ]
    return draw(st.one_of(shapes))


@st.composite
def bookings(draw: st.DrawFn) -> Hostile:
    body = draw(booking_bodies())
    content_type = draw(st.one_of(st.just("application/json"), st.sampled_from(CONTENT_TYPES)))
    headers = {}
    if draw(st.booleans()):
        headers["Idempotency-Key"] = draw(st.one_of(header_text, st.just("k" * 300)))
    return Hostile("POST", RESERVATIONS, headers, body, content_type, writes=True)


@st.composite
def searches(draw: st.DrawFn) -> Hostile:
    pairs: list[tuple[str, object]] = [
        ("start_date", draw(st.one_of(st.just("2021-01-04"), bad_date))),
        ("nights", draw(st.one_of(st.just(3), bad_nights, text))),
    ]
    extra = st.sampled_from(["after", "limit", "nights", "color", "access_token"])
    for name in draw(st.lists(extra, max_size=3)):
        pairs.append((name, draw(st.one_of(text, st.integers(-(10**12), 10**12)))))
    return Hostile("GET", f"{SEARCH}?{_query(draw(st.permutations(pairs)))}")


@st.composite
def reservation_lookups(draw: st.DrawFn) -> Hostile:
    ids = st.one_of(st.sampled_from(SQL + ODD_TEXT[:12]), st.uuids().map(str), text)
    reservation_id = urllib.parse.quote(draw(ids), safe="")
    method = draw(st.sampled_from(["GET", "DELETE", "PUT", "PATCH", "POST"]))
    return Hostile(method, f"{RESERVATIONS}/{reservation_id}", writes=method != "GET")


@st.composite
def other_routes(draw: st.DrawFn) -> Hostile:
    path = draw(
        st.sampled_from(
            [
                "/healthz",
                "/readyz",
                "/metrics",
                "/openapi.json",
                "/docs",
                "/docs/swagger-ui.css",
                "/docs/..%2Fsecrets",
                "/api/v1/%FF",
                "/api/v2/x",
                RESERVATIONS,
                SEARCH,
            ]
        )
    )
    query = _query(draw(st.lists(st.tuples(text, text), max_size=3)))
    method = draw(st.sampled_from(["GET", "GET", "PUT", "DELETE", "PATCH"]))
    return Hostile(method, f"{path}?{query}", writes=method != "GET")


def _with_headers(request: Hostile, authorization: str | None, extra: dict[str, str]) -> Hostile:
    return attrs.evolve(request, headers=request.headers | extra, authorization=authorization)


def _mostly(usual: st.SearchStrategy[Any], rarely: st.SearchStrategy[Any]) -> Any:
    """`usual` nine times in ten: a bad token everywhere would hide every other check."""
    return st.integers(0, 9).flatmap(lambda n: rarely if n == 0 else usual)


bad_authorizations = st.one_of(
    st.sampled_from(["", "Bearer", "Bearer ", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}0",
                     f"Basic {TOKEN}", f"Bearer {{{TOKEN}}}", f"Bearer {TOKEN.replace('-', '')}"]),
    header_text.map(lambda t: f"Bearer {t}"),
    st.none(),
)  # fmt: skip
hostile_requests = st.builds(
    _with_headers,
    _mostly(st.one_of(bookings(), searches(), reservation_lookups()), other_routes()),
    _mostly(st.just(f"Bearer {TOKEN}"), bad_authorizations),
    st.dictionaries(st.sampled_from(["X-Request-ID", "Accept", "Idempotency-Key"]), header_text),
)

# Requests found worth keeping, run before the generated ones.
KNOWN = [
    Hostile("GET", f"{SEARCH}?start_date=%00%01%02&nights=%7F"),
    Hostile("GET", f"{SEARCH}?%00=1&start_date=2021-01-04&nights=3"),
    Hostile("GET", f"{SEARCH}?start_date=2021-01-04&nights=3&after=%C0%80"),
    Hostile("GET", f"{SEARCH}?start_date=9999-12-31&nights=1000000000000"),
    Hostile("GET", f"{SEARCH}?start_date=9999-12-30&nights=2"),
    Hostile("GET", f"{SEARCH}?start_date=0001-01-01&nights=-1"),
    Hostile("GET", f"{RESERVATIONS}/%00"),
    Hostile("GET", "/api/v1/%FF%FE"),
    Hostile("GET", f"{RESERVATIONS}/{urllib.parse.quote(SQL[1], safe='')}"),
    Hostile(
        "POST",
        RESERVATIONS,
        {"Idempotency-Key": "a\x01b", "X-Request-ID": "x\x00y"},
        b"{}",
        "application/json",
        writes=True,
    ),
    Hostile(
        "POST",
        RESERVATIONS,
        {},
        b'{"property_id": "' + SQL[2].encode() + b'", "start_date": "2027-06-01", "nights": 3}',
        "application/json",
        writes=True,
    ),
]


def _send(client: FlaskClient, request: Hostile) -> list[str]:
    """What is wrong with the answer to `request` (empty: a documented answer)."""
    headers = dict(request.headers)
    if request.authorization is not None:
        headers["Authorization"] = request.authorization
    response = client.open(
        request.path,
        method=request.method,
        headers=headers,
        data=request.body,
        content_type=request.content_type,
    )
    status, body = response.status_code, response.get_data()
    problems = DOCUMENT.answer_errors(request.method, request.path, status, response.mimetype, body)
    if request.writes and status < 400:
        problems.append(f"a request with bad input was carried out: {status}")
    return [f"{request.method} {request.path[:200]}: {p}" for p in problems]


def _rows(engine: sa.Engine | None) -> dict[str, list[tuple[Any, ...]]]:
    if engine is None:
        return {}
    with engine.connect() as connection:
        return {
            table: [
                tuple(row)
                # Ordered by the whole row: a table's content, whatever its rows' physical order.
                for row in connection.execute(
                    sa.select(sa.text("*"))
                    .select_from(sa.table(table).alias("r"))
                    .order_by(sa.text("r"))
                )
            ]
            for table in TABLES
        }


@pytest.fixture(params=EACH_STORAGE)
def storage_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def engine_of_storage(request: pytest.FixtureRequest, storage_kind: str) -> sa.Engine | None:
    if storage_kind == "memory":
        return None
    engine: sa.Engine = request.getfixturevalue(storage_kind)
    return engine


def test_hostile_requests_get_documented_answers_and_change_nothing(
    client: FlaskClient, engine_of_storage: sa.Engine | None
) -> None:
    before = _rows(engine_of_storage)

    assert [problem for request in KNOWN for problem in _send(client, request)] == []

    @given(request=hostile_requests)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def check(request: Hostile) -> None:
        assert _send(client, request) == []

    check()
    assert _rows(engine_of_storage) == before
