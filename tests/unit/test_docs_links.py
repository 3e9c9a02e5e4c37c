"""Every relative link in the project's Markdown points at a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(
    [
        ROOT / "README.md",
        ROOT / "ota_core" / "README.md",
        *(ROOT / "ADRs").glob("*.md"),
        *(ROOT / "bench").glob("*.md"),
        *(ROOT / "deploy").glob("**/*.md"),
    ]
)
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _relative_targets(document: Path) -> list[str]:
    targets = (match.group(1) for match in _LINK.finditer(document.read_text(encoding="utf-8")))
    return [t.split("#", 1)[0] for t in targets if not re.match(r"[a-z]+:|#", t)]


def test_there_are_documents_to_check() -> None:
    assert ROOT / "README.md" in DOCUMENTS
    assert len(DOCUMENTS) > 10


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_relative_links_resolve(document: Path) -> None:
    missing = [t for t in _relative_targets(document) if not (document.parent / t).exists()]
    assert missing == []
