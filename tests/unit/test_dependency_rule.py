"""ota_core is usable on its own: importing it loads no framework or driver."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = {
    "flask",
    "werkzeug",
    "sqlalchemy",
    "psycopg2",
    "dependency_injector",
    "loguru",
    "gunicorn",
    "alembic",
    "prometheus_client",
    "pydantic",
    "ota_adapters",
    "ota_web",
}


def _top_level_modules_loaded_by(statement: str) -> set[str]:
    script = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return {name.split(".")[0] for name in json.loads(output)}


def test_importing_ota_core_loads_no_framework_driver_or_adapter() -> None:
    loaded = _top_level_modules_loaded_by("import ota_core, ota_core.use_cases")
    assert "ota_core" in loaded
    assert loaded & FORBIDDEN == set()


def test_the_check_would_notice_a_framework() -> None:
    loaded = _top_level_modules_loaded_by("import ota_core, json.tool")
    assert "json" in loaded
