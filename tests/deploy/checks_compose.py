"""What the development stack requires of docker-compose.yml.

The Compose Specification schema (vendored under schemas/) checks the shape; the checks here
check what a schema cannot: references between services and the promises of the brief
(`docker-compose up` migrates and loads the sample data, `rm -rf ./pg_data` resets it).
"""

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "compose-spec.json"
DATABASE_URL = "postgresql+psycopg2://postgres@db:5432/airdna"
PG_DATA_MOUNT = "./pg_data:/var/lib/postgresql/data"
MIGRATE = "ota migrate"
LOAD_SAMPLE = "ota load-sample"

Compose = Mapping[str, Any]
Service = Mapping[str, Any]


def schema_errors(compose: Compose) -> list[str]:
    """Violations of the Compose Specification, each as `path: message`.

    Where a value fits none of several alternatives (`oneOf`), the closest alternative's own
    error is reported, which names the offending field.
    """
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = (best_match([error]) for error in validator.iter_errors(compose))
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors]


def depends_on(service: Service) -> dict[str, str]:
    """The service's dependencies with their condition (short list form: service_started)."""
    declared = service.get("depends_on", {})
    if isinstance(declared, list):
        return dict.fromkeys(declared, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in declared.items()}


def environment(service: Service) -> dict[str, str]:
    declared = service.get("environment", {})
    if isinstance(declared, list):
        return dict(item.split("=", 1) for item in declared if "=" in item)
    return {name: str(value) for name, value in declared.items()}


def command_text(service: Service) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


def published_container_ports(service: Service) -> set[str]:
    """Container ports of the short syntax `[host:]container[/proto]` and the long syntax."""
    ports = set()
    for port in service.get("ports", []):
        if isinstance(port, Mapping):
            ports.add(str(port.get("target")))
        else:
            ports.add(str(port).rsplit(":", 1)[-1].split("/")[0])
    return ports


def _references(compose: Compose) -> list[str]:
    services = compose.get("services", {})
    problems = ["the obsolete `version` key is present"] if "version" in compose else []
    for name, service in services.items():
        problems += [
            f"{name} depends on {target}, which is not a service"
            for target in depends_on(service)
            if target not in services
        ]
    return problems


def _database(compose: Compose) -> list[str]:
    db = compose.get("services", {}).get("db", {})
    env = environment(db)
    expectations = {
        "the db image is not postgres:15": db.get("image") == "postgres:15",
        "the db does not trust local connections": env.get("POSTGRES_HOST_AUTH_METHOD") == "trust",
        "the db does not create database airdna": env.get("POSTGRES_DB") == "airdna",
        "the db has no pg_isready healthcheck": "pg_isready"
        in str(db.get("healthcheck", {}).get("test", "")),
        f"the db does not mount {PG_DATA_MOUNT}": PG_DATA_MOUNT in db.get("volumes", []),
    }
    return [problem for problem, holds in expectations.items() if not holds]


def _migration(compose: Compose) -> list[str]:
    migrate = compose.get("services", {}).get("migrate", {})
    command = command_text(migrate)
    expectations = {
        "migrate does not wait for a healthy db": depends_on(migrate).get("db")
        == "service_healthy",
        "migrate does not migrate, then load the sample data": MIGRATE in command
        and LOAD_SAMPLE in command
        and command.index(MIGRATE) < command.index(LOAD_SAMPLE),
        "migrate does not use the db's DATABASE_URL": environment(migrate).get("DATABASE_URL")
        == DATABASE_URL,
    }
    return [problem for problem, holds in expectations.items() if not holds]


def _api(compose: Compose) -> list[str]:
    api = compose.get("services", {}).get("api", {})
    expectations = {
        "api does not wait for a completed migration": depends_on(api).get("migrate")
        == "service_completed_successfully",
        "api does not publish port 8000": "8000" in published_container_ports(api),
        "api has no /healthz healthcheck": "/healthz"
        in str(api.get("healthcheck", {}).get("test", "")),
        "api does not reload on change": "--reload" in command_text(api),
        "api does not mount the source": any(
            str(volume).startswith("./ota_web:") for volume in api.get("volumes", [])
        ),
        "api does not use the db's DATABASE_URL": environment(api).get("DATABASE_URL")
        == DATABASE_URL,
    }
    return [problem for problem, holds in expectations.items() if not holds]


CHECKS: tuple[Callable[[Compose], list[str]], ...] = (_references, _database, _migration, _api)


def compose_problems(compose: Compose) -> list[str]:
    return [problem for check in CHECKS for problem in check(compose)]
