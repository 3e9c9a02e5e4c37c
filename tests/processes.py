"""Code run in another process: a child forked from this one, or a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The servers' own variables: a test's server starts from none of this shell's.
_SERVER_VARIABLES = ("WEB_", "GUNICORN_")


def in_forked_child(produce: Callable[[], bytes]) -> bytes:
    """What `produce()` returns in a child forked from this process, as gunicorn forks workers."""
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.write(writing, produce())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as answer:
        produced = answer.read()
    os.waitpid(child, 0)
    return produced


def under_gunicorn_config(
    env: Mapping[str, str], expression: str, config: str = "ota_web.gunicorn_conf"
) -> Any:
    """`expression` (as JSON) in a fresh interpreter that imported the gunicorn `config` as `c`."""
    script = f"import json, sys; import {config} as c; print(json.dumps({expression}))"
    environment = {k: v for k, v in os.environ.items() if not k.startswith(_SERVER_VARIABLES)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment | dict(env),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])
