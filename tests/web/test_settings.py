"""Settings: the environment, read once, validated at start-up."""

from __future__ import annotations

import pytest

from ota_web.settings import Settings, SettingsError


def test_an_empty_environment_gives_the_defaults() -> None:
    settings = Settings.from_env({})

    assert settings.storage == "postgres"
    assert settings.database_url is None
    assert settings.port == 8000
    assert settings.web_concurrency == 4
    assert settings.gunicorn_threads == 25
    assert settings.log_format == "text"
    assert settings.max_page_size == 1000
    assert settings.max_content_length == 16 * 1024


def test_values_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "STORAGE": "postgres",
            "DATABASE_URL": "postgresql://db/ota",
            "DATABASE_REPLICA_URL": "postgresql://replica/ota",
            "PORT": "9000",
            "WEB_CONCURRENCY": "3",
            "GUNICORN_THREADS": "10",
            "GUNICORN_RELOAD": "1",
            "LOG_FORMAT": "JSON",
            "LOG_LEVEL": "debug",
            "DB_POOL_SIZE": "7",
            "DB_CONNECT_TIMEOUT": "2",
            "MAX_NIGHTS": "30",
            "PROMETHEUS_MULTIPROC_DIR": "/run/ota-metrics",
        }
    )

    assert settings.storage == "postgres"
    assert settings.database_url == "postgresql://db/ota"
    assert settings.database_replica_url == "postgresql://replica/ota"
    assert (settings.port, settings.web_concurrency, settings.gunicorn_threads) == (9000, 3, 10)
    assert settings.gunicorn_reload is True
    assert (settings.log_format, settings.log_level) == ("json", "DEBUG")
    assert (settings.db_pool_size, settings.db_connect_timeout) == (7, 2)
    assert settings.max_nights == 30
    assert settings.prometheus_multiproc_dir == "/run/ota-metrics"


def test_the_in_memory_storage_defaults_to_one_worker() -> None:
    assert Settings.from_env({"STORAGE": "memory"}).web_concurrency == 1


def test_blank_values_count_as_unset() -> None:
    assert Settings.from_env({"PORT": " ", "LOG_FORMAT": ""}) == Settings()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("STORAGE", "mongodb"),
        ("PORT", "eighty"),
        ("PORT", "0"),
        ("WEB_CONCURRENCY", "-2"),
        ("LOG_FORMAT", "xml"),
        ("LOG_LEVEL", "LOUD"),
        ("GUNICORN_RELOAD", "maybe"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_memory_storage_refuses_several_workers() -> None:
    with pytest.raises(SettingsError, match="WEB_CONCURRENCY must be 1"):
        Settings.from_env({"STORAGE": "memory", "WEB_CONCURRENCY": "4"})
