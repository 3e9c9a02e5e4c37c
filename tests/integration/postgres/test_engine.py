"""The sessions the service's pool opens."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ota_adapters.postgres import build_engine
from ota_adapters.postgres import engine as engine_module

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


def _first_session(url: str) -> None:
    service = build_engine(url, statement_timeout_ms=1234)
    try:
        with service.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    finally:
        service.dispose()


def test_sessions_with_the_service_settings_pass_without_a_warning(
    engine: sa.Engine, logged_warnings: list[str]
) -> None:
    _first_session(engine.url.render_as_string(hide_password=False))
    assert logged_warnings == []


def test_sessions_that_lost_the_startup_options_are_reported(
    engine: sa.Engine, logged_warnings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As behind a pooler in transaction mode (PgBouncer) that drops startup options.
    with_options = engine_module._connect_args

    def dropped(statement_timeout_ms: int, connect_timeout_s: int) -> dict[str, object]:
        args = with_options(statement_timeout_ms, connect_timeout_s)
        del args["options"]
        return args

    monkeypatch.setattr(engine_module, "_connect_args", dropped)
    _first_session(engine.url.render_as_string(hide_password=False))

    [warning] = logged_warnings
    assert warning.startswith("database sessions do not run with the service's settings")
    assert "statement_timeout is 0 instead of 1234" in warning
    assert "max_parallel_workers_per_gather" in warning
