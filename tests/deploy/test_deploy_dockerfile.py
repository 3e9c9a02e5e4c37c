"""The Dockerfile: hadolint finds nothing, and the image is what the deployment expects."""

import re
from pathlib import Path

from checks_dockerfile import dockerfile_problems, parse_stages
from deploy_tools import REPO_ROOT, hadolint_findings

UNPINNED = """\
FROM python:latest
RUN apt-get update && apt-get install -y curl
"""


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    assert hadolint_findings(REPO_ROOT / "Dockerfile") == []


def test_hadolint_flags_unpinned_images_and_packages(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(UNPINNED)

    codes = {finding.split()[1] for finding in hadolint_findings(dockerfile)}

    assert {"DL3007", "DL3008", "DL3009", "DL3015"} <= codes


def test_hadolint_reports_a_dockerfile_it_cannot_parse(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.11-slim-bookworm\nFROOM nothing\n")

    assert any(" DL1000 " in finding for finding in hadolint_findings(dockerfile))


def test_the_dockerfile_builds_the_image_the_deployment_expects(dockerfile_text: str) -> None:
    assert dockerfile_problems(dockerfile_text) == []


def test_the_image_runs_as_a_numeric_user_so_kubernetes_can_verify_it(
    dockerfile_text: str,
) -> None:
    users = parse_stages(dockerfile_text)[-1].arguments_of("USER")

    assert re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", users[-1])


def test_a_dockerfile_whose_image_runs_as_root_is_rejected(dockerfile_text: str) -> None:
    as_root = re.sub(r"^USER .*$", "USER root", dockerfile_text, flags=re.MULTILINE)

    assert dockerfile_problems(as_root) == ["the final stage runs as root"]


def test_a_single_stage_dockerfile_is_rejected() -> None:
    single = "FROM python:3.11-slim-bookworm\nRUN pip install .\nUSER 10001\n"

    problems = dockerfile_problems(single)

    assert "the build is not multi-stage" in problems
    assert "no build stage runs `pip wheel`" in problems


def test_an_image_without_health_check_or_environment_is_rejected(dockerfile_text: str) -> None:
    stripped = re.sub(r"^(HEALTHCHECK|ENV) .*?(?<!\\)\n", "", dockerfile_text, flags=re.M | re.S)

    problems = dockerfile_problems(stripped)

    assert "the HEALTHCHECK does not fetch /healthz with urllib" in problems
    assert "PROMETHEUS_MULTIPROC_DIR is not set in the final stage" in problems


def test_a_line_continuation_is_read_as_one_instruction() -> None:
    text = "FROM a AS b\nENV X=1 \\\n    # a comment inside\n    Y=2\n"

    assert parse_stages(text)[0].env() == {"X": "1", "Y": "2"}


def test_the_build_context_leaves_out_local_state_and_caches() -> None:
    patterns = (REPO_ROOT / ".dockerignore").read_text().splitlines()

    assert {".git", ".venv", ".ota", "pg_data", "**/__pycache__", ".mypy_cache"} <= set(patterns)


def test_an_image_installed_without_hashes_is_rejected(dockerfile_text: str) -> None:
    problems = dockerfile_problems(dockerfile_text.replace("--require-hashes", ""))

    assert (
        "no build stage fetches the wheels of requirements/runtime.txt by their hashes" in problems
    )
    assert "the final stage does not install requirements/runtime.txt by its hashes" in problems


def test_a_project_installed_with_its_dependencies_is_rejected(dockerfile_text: str) -> None:
    problems = dockerfile_problems(dockerfile_text.replace(" --no-deps", ""))

    unchecked = [p for p in problems if p.startswith("pip resolves dependencies without hashes")]
    assert len(unchecked) == 2  # the project's wheel built, then installed


def test_an_image_that_installs_the_dev_lock_is_rejected(dockerfile_text: str) -> None:
    runtime_lock = "-r /requirements/runtime.txt"
    with_dev_tools = dockerfile_text.replace(
        runtime_lock, f"{runtime_lock} -r requirements/dev.txt"
    )

    assert dockerfile_problems(with_dev_tools) == [
        "the final stage installs requirements/dev.txt, not the runtime lock"
    ]
