"""Over HTTP, as a client sees it: the app on the cluster answers 100 racing bookings right.

The whole app (`create_app`, its error table, the use cases) runs on the cluster's
storage and takes 100 requests for one stay at once, each thread with a client of
its own: one 200, stored and readable by its id, and 99 409s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from ota_adapters.clock import FixedClock
from ota_adapters.sample_data import load_sample_data
from ota_web.app import OtaFlask
from ota_web.storage import engine_storage
from tests.web.support import AUTH, NOW, build_app, reserve

pytestmark = pytest.mark.citus

CLIENTS = 100


@pytest.fixture
def app(engine: sa.Engine) -> Iterator[OtaFlask]:
    storage = engine_storage(engine)
    load_sample_data(storage.unit_of_work, recorded_at=FixedClock(NOW).now())
    app = build_app({"storage": storage})
    yield app
    app.container.unwire()


def test_of_a_hundred_bookings_of_one_stay_over_http_one_is_a_200_and_readable(
    app: OtaFlask,
) -> None:
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(lambda _: reserve(app.test_client()), range(CLIENTS)))

    assert Counter(answer.status_code for answer in answers) == {200: 1, 409: CLIENTS - 1}
    (made,) = [answer.get_json() for answer in answers if answer.status_code == 200]
    read = app.test_client().get(f"/api/v1/reservations/{made['reservation_id']}", headers=AUTH)
    assert read.status_code == 200
    assert read.get_json() == made
