"""The sessions the service's pool opens."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ota_adapters.postgres import build_engine

pytestmark = pytest.mark.postgres


def test_service_sessions_run_in_utc_with_a_statement_timeout_and_no_jit_or_parallelism(
    engine: sa.Engine,
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    service = build_engine(url, statement_timeout_ms=1234)
    try:
        with service.connect() as connection:
            settings = {
                name: connection.execute(sa.text(f"SHOW {name}")).scalar_one()
                for name in (
                    "TimeZone",
                    "statement_timeout",
                    "jit",
                    "max_parallel_workers_per_gather",
                )
            }
    finally:
        service.dispose()

    assert settings == {
        "TimeZone": "UTC",
        "statement_timeout": "1234ms",
        "jit": "off",
        "max_parallel_workers_per_gather": "0",
    }
