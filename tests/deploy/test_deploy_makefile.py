"""`make install`: .venv holds what the locks pin, hashes checked, and a changed lock reinstalls.

make is asked, never run for real: `--dry-run --always-make` prints every command the install
would run, `--question` says whether a .venv needs them, against a .venv of empty files.
"""

import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest
from deploy_tools import REPO_ROOT, TOOL_TIMEOUT_SECONDS
from locks import BUILD_LOCK, DEV_LOCK, LOCKS, UV_LOCK, installs_without_hashes

# What make tells the makes it starts; this one must not join a make that runs the tests.
PARENT_MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
INSTALL_INPUTS = (*LOCKS, REPO_ROOT / "pyproject.toml")
VENV_FILES = ("bin/python", "bin/uv", ".installed")  # in the order the Makefile makes them


def make(venv: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if name not in PARENT_MAKE_VARIABLES}
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO_ROOT), f"VENV={venv}", *arguments],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
        check=False,
        env=env,
    )


def install_commands(venv: Path) -> list[list[str]]:
    result = make(venv, "--dry-run", "--always-make", "install")
    assert result.returncode == 0, result.stderr
    return [shlex.split(line) for line in result.stdout.splitlines()]


def relative(lock: Path) -> str:
    return str(lock.relative_to(REPO_ROOT))


@pytest.fixture
def installed_venv(tmp_path: Path) -> Path:
    """A .venv whose files make takes as installed: each newer than what it is made from."""
    venv = tmp_path / "venv"
    newest_input = max(path.stat().st_mtime for path in INSTALL_INPUTS)
    start = max(newest_input, time.time() - 60)
    for order, name in enumerate(VENV_FILES, start=1):
        path = venv / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        os.utime(path, (start + order, start + order))
    return venv


def test_make_install_syncs_the_venv_with_the_locks_by_their_hashes(tmp_path: Path) -> None:
    syncs = [c for c in install_commands(tmp_path) if c[1:3] == ["pip", "sync"]]

    assert len(syncs) == 1
    assert "--require-hashes" in syncs[0]
    assert {relative(lock) for lock in (UV_LOCK, BUILD_LOCK, DEV_LOCK)} <= set(syncs[0])


def test_make_install_takes_uv_from_its_lock_by_its_hashes(tmp_path: Path) -> None:
    pip_installs = [c for c in install_commands(tmp_path) if c[1:4] == ["-m", "pip", "install"]]

    assert len(pip_installs) == 1
    assert {"--require-hashes", "-r", relative(UV_LOCK)} <= set(pip_installs[0])


def test_make_install_adds_the_project_without_dependencies(tmp_path: Path) -> None:
    editable = [c for c in install_commands(tmp_path) if c[-2:] == ["-e", "."]]

    assert len(editable) == 1
    assert "--no-deps" in editable[0]


def test_nothing_make_install_runs_resolves_dependencies_itself(tmp_path: Path) -> None:
    assert [c for c in install_commands(tmp_path) if installs_without_hashes(c)] == []


def test_an_installed_venv_is_left_as_it_is(installed_venv: Path) -> None:
    assert make(installed_venv, "--question", "install").returncode == 0


@pytest.mark.parametrize("changed", INSTALL_INPUTS, ids=lambda path: path.name)
def test_a_changed_lock_or_pyproject_reinstalls(installed_venv: Path, changed: Path) -> None:
    result = make(installed_venv, "--question", f"--what-if={relative(changed)}", "install")

    assert result.returncode == 1
