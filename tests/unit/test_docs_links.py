"""Every relative link in the project's Markdown points at a file that exists, and at a
heading of it when the link names one (`file.md#heading`, `#heading`)."""

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
_HEADING = re.compile(r"#{1,6} (.+)")
_FENCE = "```"


def _relative_targets(document: Path) -> list[str]:
    targets = (match.group(1) for match in _LINK.finditer(document.read_text(encoding="utf-8")))
    return [t for t in targets if not re.match(r"[a-z]+:", t)]


def anchors(document: Path) -> set[str]:
    """The anchors GitHub gives the document's headings: lower case, punctuation dropped,
    spaces as hyphens, `-1`, `-2`... after a repeated one; none inside code blocks."""
    found: set[str] = set()
    repeats: dict[str, int] = {}
    in_code = False
    for line in document.read_text(encoding="utf-8").splitlines():
        if line.startswith(_FENCE):
            in_code = not in_code
        heading = None if in_code else _HEADING.fullmatch(line)
        if heading is None:
            continue
        anchor = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
        seen = repeats.get(anchor, 0)
        repeats[anchor] = seen + 1
        found.add(anchor if seen == 0 else f"{anchor}-{seen}")
    return found


def _broken(document: Path, target: str) -> bool:
    path, _, anchor = target.partition("#")
    linked = document.parent / path if path else document
    if not linked.exists():
        return True
    return bool(anchor) and linked.suffix == ".md" and anchor not in anchors(linked)


def test_there_are_documents_to_check() -> None:
    assert ROOT / "README.md" in DOCUMENTS
    assert len(DOCUMENTS) > 10


def test_anchors_follow_githubs_rule(tmp_path: Path) -> None:
    document = tmp_path / "doc.md"
    document.write_text(
        "# A `code` heading: (one)\n```\n# not a heading\n```\n## Twice\n## Twice\n"
    )
    assert anchors(document) == {"a-code-heading-one", "twice", "twice-1"}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_relative_links_resolve(document: Path) -> None:
    assert [t for t in _relative_targets(document) if _broken(document, t)] == []
