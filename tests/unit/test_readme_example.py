"""ota_core/README.md's library example runs, and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "ota_core" / "README.md"
MARKER = "<!-- tested: tests/unit/test_readme_example.py runs this block -->"


def _example() -> str:
    text = README.read_text(encoding="utf-8")
    after_marker = text[text.index(MARKER) :]
    match = re.search(r"```python\n(.*?)```", after_marker, re.DOTALL)
    assert match, "the tested README block is missing"
    return match.group(1)


def _promised_output(code: str) -> list[str]:
    """What the comments say is printed: a trailing `# ...` or a `# ...` line of its own."""
    promised = []
    for line in code.splitlines():
        if line.startswith("# "):
            promised.append(line.removeprefix("# "))
        elif line.lstrip().startswith("print(") and "  # " in line:
            promised.append(line.split("  # ", 1)[1])
    return promised


def test_the_library_example_prints_what_it_promises() -> None:
    code = _example()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(README), "exec"), {})  # noqa: S102 - the README's own example

    assert printed.getvalue().splitlines() == _promised_output(code)
