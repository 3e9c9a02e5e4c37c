"""docker-compose.yml: valid against the Compose Specification, and the stack the brief promises."""

import copy
from collections.abc import Callable
from typing import Any

import pytest
from checks_compose import compose_problems, schema_errors
from checks_dockerfile import parse_stages


def test_the_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    assert schema_errors(compose) == []


def test_the_schema_rejects_an_unknown_dependency_condition(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["api"]["depends_on"]["migrate"]["condition"] = "service_finished"

    assert any(
        error.startswith("services/api/depends_on/migrate/condition")
        for error in schema_errors(broken)
    )


def test_the_schema_rejects_a_misspelt_service_key(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["db"]["helthcheck"] = broken["services"]["db"].pop("healthcheck")

    assert any("helthcheck" in error for error in schema_errors(broken))


def test_the_compose_file_starts_migrates_and_serves_as_the_brief_says(
    compose: dict[str, Any],
) -> None:
    assert compose_problems(compose) == []


def test_the_compose_build_target_is_a_stage_of_the_dockerfile(
    compose: dict[str, Any], dockerfile_text: str
) -> None:
    stages = {stage.name for stage in parse_stages(dockerfile_text)}

    targets = {
        service["build"]["target"] for service in compose["services"].values() if "build" in service
    }

    assert targets
    assert targets <= stages


def _dependency_on_a_missing_service(compose: dict[str, Any]) -> None:
    compose["services"]["migrate"]["depends_on"] = {"database": {"condition": "service_healthy"}}


def _database_without_healthcheck(compose: dict[str, Any]) -> None:
    del compose["services"]["db"]["healthcheck"]


def _database_in_a_named_volume(compose: dict[str, Any]) -> None:
    compose["services"]["db"]["volumes"] = ["pg_data:/var/lib/postgresql/data"]


def _api_started_before_the_migration_ends(compose: dict[str, Any]) -> None:
    compose["services"]["api"]["depends_on"] = ["migrate"]


def _migration_without_sample_data(compose: dict[str, Any]) -> None:
    compose["services"]["migrate"]["command"] = "ota migrate"


def _api_on_another_port(compose: dict[str, Any]) -> None:
    compose["services"]["api"]["ports"] = ["8080:8080"]


@pytest.mark.parametrize(
    ("breakage", "problem"),
    [
        (_dependency_on_a_missing_service, "migrate depends on database, which is not a service"),
        (_database_without_healthcheck, "the db has no pg_isready healthcheck"),
        (_database_in_a_named_volume, "the db does not mount ./pg_data:/var/lib/postgresql/data"),
        (_api_started_before_the_migration_ends, "api does not wait for a completed migration"),
        (_migration_without_sample_data, "migrate does not migrate, then load the sample data"),
        (_api_on_another_port, "api does not publish port 8000"),
    ],
)
def test_a_broken_stack_is_reported(
    compose: dict[str, Any], breakage: Callable[[dict[str, Any]], None], problem: str
) -> None:
    broken = copy.deepcopy(compose)
    breakage(broken)

    assert problem in compose_problems(broken)
