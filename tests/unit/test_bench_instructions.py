"""The instruction counter's command line: which apps it counts, and when it compares them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from bench import instructions


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(kind, target) of every count asked for, each answered with a made-up figure."""
    asked: list[tuple[str, str]] = []

    def count(
        target: str, kind: str, _url: str, requests: int, _log_level: str = "WARNING"
    ) -> tuple[int, dict[str, Any]]:
        if requests:
            asked.append((kind, target))
        per_request = {"service": 3_000_000, "baseline": 2_000_000}[target]
        return per_request * requests, {"200": requests, "cpu_s": 0.0}

    monkeypatch.setattr(instructions, "_count", count)
    monkeypatch.setattr(instructions, "_valgrind_version", lambda: "valgrind-test")
    return asked


def _main(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> str:
    instructions.main(["--url", "postgresql://nowhere", "--requests", "10", *argv])
    return capsys.readouterr().out


def test_both_apps_are_counted_and_compared_by_default(
    counted: list[tuple[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    out = _main(capsys, ["--kinds", "reserve"])

    assert counted == [("reserve", "service"), ("reserve", "baseline")]
    assert "service / baseline instructions, reserve: 1.50" in out


def test_one_app_is_counted_alone_without_a_ratio(
    counted: list[tuple[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    out = _main(capsys, ["--kinds", "reserve", "get", "--targets", "service"])

    assert counted == [("reserve", "service"), ("get", "service")]
    assert "service / baseline" not in out
    assert out.count("3.000 M instructions/request") == 2
    assert "2.000 M" not in out
