"""Citus, built once from the vendored source against the embedded PostgreSQL, and cached.

The build (`configure`, `make`, `make install` into a staging folder) runs in a
temporary folder under `.ota/citus/`; only its result, `lib/` (the shared
library) and `extension/` (control and SQL files), is renamed into place, so a
folder in the cache is always a whole build. A file lock keeps two test sessions
from building at once: the second waits, then finds the first one's build.
A cluster loads it from there (`extension_control_path`, `dynamic_library_path`).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from ota_adapters.postgres.embedded import _embedded_postgres

VENDOR = Path(__file__).resolve().parent / "vendor"
VERSION = "14.0.1"
TARBALL = VENDOR / f"citus-{VERSION}-build-only.tar.gz"
# Checked before every build: the tests build only the source that was reviewed.
TARBALL_SHA256 = "5c1b3f69c3520f2caf3a5b1e5b0c7992f96dfeeec6505e324b98cd98fdb0757f"
CACHE = Path(__file__).resolve().parents[2] / ".ota" / "citus"

# The embedded package's pg_config passes gcc a warning flag that gcc 12 rejects.
CFLAGS = "-O2 -fno-strict-aliasing -fwrapv -fexcess-precision=standard -Wall"
CONFIGURE_OPTIONS = ("--without-libcurl", "--without-lz4", "--without-zstd")
TOOLS = ("cc", "make")
BUILD_SECONDS = 1800


class CitusUnavailable(Exception):
    """Citus cannot be built here (a tool is missing); the tests that need it cannot run."""


def pg_config() -> Path:
    module = _embedded_postgres()
    return Path(module.__file__).parent / "pginstall" / "bin" / "pg_config"


def _pg_setting(option: str) -> str:
    done = subprocess.run([str(pg_config()), option], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_folder() -> Path:
    """Where the build for this Citus source and this PostgreSQL lives in the cache."""
    server_version = _pg_setting("--version").split()[-1]
    return CACHE / f"{VERSION}-{TARBALL_SHA256[:12]}-pg{server_version}"


def _run(arguments: list[str], cwd: Path, log: Path) -> None:
    with log.open("a") as output:
        done = subprocess.run(
            arguments,
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=BUILD_SECONDS,
            check=False,  # the log's tail goes into the error
        )
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(arguments[:2])} failed ({done.returncode}):\n{tail}")


def _build(work: Path, target: Path) -> None:
    actual = _sha256(TARBALL)
    if actual != TARBALL_SHA256:
        raise RuntimeError(f"{TARBALL.name}: sha256 {actual}, expected {TARBALL_SHA256}")
    source, staging, log = work / "src", work / "staging", work / "build.log"
    with tarfile.open(TARBALL) as archive:
        archive.extractall(source, filter="data")
    (source / "configure").chmod(0o755)
    configure = ["./configure", f"PG_CONFIG={pg_config()}", *CONFIGURE_OPTIONS]
    _run(configure, source, log)
    jobs = str(max(1, min(4, os.cpu_count() or 1)))
    _run(["make", "-j", jobs, f"CFLAGS={CFLAGS}"], source, log)
    _run(["make", "install", f"DESTDIR={staging}"], source, log)
    installed = staging / _pg_setting("--pkglibdir").lstrip("/")
    extension = staging / _pg_setting("--sharedir").lstrip("/") / "extension"
    shutil.copytree(installed, target / "lib")  # the staging holds Citus's files only
    shutil.copytree(extension, target / "extension")
    shutil.copy2(log, target / "build.log")
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # read by the servers' own user


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def built_citus() -> Path:
    """The cached build's folder (with `lib/` and `extension/`), built first if absent.

    Raises `CitusUnavailable` when a build tool is missing.
    """
    target = build_folder()
    if (target / "lib" / "citus.so").exists():
        return target
    missing = missing_tools()
    if missing:
        raise CitusUnavailable(f"building Citus {VERSION} needs {', '.join(missing)}")
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another session may be building it
        if (target / "lib" / "citus.so").exists():
            return target
        with tempfile.TemporaryDirectory(dir=CACHE, prefix=".build-") as work:
            staged = Path(work) / "result"
            _build(Path(work), staged)
            staged.rename(target)
    return target
