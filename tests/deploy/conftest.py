"""Fixtures of the deployment tests: the files under test, read or rendered once per session."""

from typing import Any

import pytest
import yaml
from deploy_tools import REPO_ROOT, render_overlay
from k8s_objects import Manifest

OVERLAYS = ("dev", "prod")


@pytest.fixture(scope="session")
def dockerfile_text() -> str:
    return (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    return loaded


@pytest.fixture(scope="session", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> list[Manifest]:
    """The objects of one overlay, as `kubectl kustomize` renders them; copy before changing."""
    overlay: str = request.param
    return render_overlay(REPO_ROOT / "deploy" / "k8s" / "overlays" / overlay)
