"""The locks under requirements/ read as pins, and what pyproject.toml asks each of them to carry.

A lock is what `uv pip compile --generate-hashes` writes: one pin per package,
`name==version [; marker]` followed by its `--hash=sha256:…` options, with `\\`-continued
lines and `#` comment lines.
"""

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
from deploy_tools import REPO_ROOT
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK_DIR = REPO_ROOT / "requirements"
RUNTIME_LOCK = LOCK_DIR / "runtime.txt"
DEV_LOCK = LOCK_DIR / "dev.txt"
BUILD_LOCK = LOCK_DIR / "build.txt"
UV_LOCK = LOCK_DIR / "uv.txt"
LOCKS = (RUNTIME_LOCK, DEV_LOCK, BUILD_LOCK, UV_LOCK)

INSTALLING = frozenset({"install", "wheel", "sync"})
CHECKED = frozenset({"--require-hashes", "--no-deps"})

# The platforms a universal lock is checked for, as the marker variables that tell them apart.
PLATFORMS: Mapping[str, Mapping[str, str]] = {
    "linux": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"},
    "darwin": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"},
    "win32": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"},
}


@attrs.frozen
class Pin:
    """One package of a lock; `version` is None when the line names no single version."""

    name: str
    version: str | None
    marker: Marker | None
    hashes: tuple[str, ...]

    def applies_on(self, platform: str) -> bool:
        return applies_on(self.marker, platform)


def applies_on(marker: Marker | None, platform: str) -> bool:
    """Whether a pin or requirement with `marker` is installed on `platform`."""
    return marker is None or marker.evaluate(dict(PLATFORMS[platform]))


def parse_pin(line: str) -> Pin:
    """One logical line: `name==version [; marker] --hash=… --hash=…`."""
    requirement_text, *hashes = (part.strip() for part in line.split("--hash="))
    requirement = Requirement(requirement_text)
    specifiers = list(requirement.specifier)
    exact = len(specifiers) == 1 and specifiers[0].operator == "=="
    return Pin(
        name=canonicalize_name(requirement.name),
        version=specifiers[0].version if exact else None,
        marker=requirement.marker,
        hashes=tuple(hashes),
    )


def parse_lock(text: str) -> list[Pin]:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    logical = "\n".join(lines).replace("\\\n", " ")
    return [parse_pin(line) for line in logical.splitlines() if line.strip()]


def read_lock(path: Path) -> list[Pin]:
    return parse_lock(path.read_text(encoding="utf-8"))


def read_pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def carried_requirements(pyproject: Mapping[str, Any]) -> dict[Path, list[Requirement]]:
    """What each lock must pin: the runtime lock the project's dependencies, the dev lock those
    and every extra's (`make lock` locks them all), the build lock the build backend."""
    project = pyproject["project"]
    runtime = [Requirement(text) for text in project["dependencies"]]
    extras = project.get("optional-dependencies", {}).values()
    dev = runtime + [Requirement(text) for extra in extras for text in extra]
    build = [Requirement(text) for text in pyproject["build-system"]["requires"]]
    return {RUNTIME_LOCK: runtime, DEV_LOCK: dev, BUILD_LOCK: build}


def pins_of(pins: Iterable[Pin], name: str) -> list[Pin]:
    return [pin for pin in pins if pin.name == canonicalize_name(name)]


def _requirement_problems(pins: list[Pin], requirement: Requirement) -> list[str]:
    found = pins_of(pins, requirement.name)
    if not found:
        return [f"{requirement.name} is not pinned"]
    problems = [
        f"{pin.name} is not pinned to one version"
        if pin.version is None
        else f"{pin.name} {pin.version} is outside {requirement.specifier}"
        for pin in found
        if pin.version is None or not requirement.specifier.contains(pin.version, prereleases=True)
    ]
    problems += [
        f"{requirement.name} is not pinned for {platform}"
        for platform in PLATFORMS
        if applies_on(requirement.marker, platform)
        and not any(p.applies_on(platform) for p in found)
    ]
    return problems


def unpinned(pins: list[Pin], requirements: Iterable[Requirement]) -> list[str]:
    """Requirements the lock does not pin to one version within their range, on every platform
    where they apply."""
    return [problem for req in requirements for problem in _requirement_problems(pins, req)]


def unhashed(pins: Iterable[Pin]) -> list[str]:
    """Packages of a lock without a sha256 hash for each of their files."""
    return [
        pin.name
        for pin in pins
        if not pin.hashes or not all(digest.startswith("sha256:") for digest in pin.hashes)
    ]


def installs_without_hashes(command: Sequence[str]) -> bool:
    """A pip (or `uv pip`) command that installs or fetches packages with neither hash checking
    nor `--no-deps`: it resolves dependencies itself and takes what the index serves that day."""
    words = set(command)
    return bool(INSTALLING & words) and not CHECKED & words
