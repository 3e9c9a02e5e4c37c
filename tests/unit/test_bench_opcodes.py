"""The bytecode tracer: what it attributes to whom, and what its comparison lists."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import opcodes
from bench.opcodes import Counts, count


def _leaf() -> int:
    total = 0
    for step in range(10):
        total += step
    return total


def _branch() -> int:
    return _leaf() + _leaf()


def _named(counts: Counts, name: str) -> tuple[int, int, int]:
    (key,) = (key for key in counts.calls if key.split(":")[-2] == name)
    return counts.own[key], counts.inclusive[key], counts.calls[key]


def test_a_caller_counts_its_callees_inclusively_and_only_its_own_as_its_own() -> None:
    counts = count(_branch, runs=3)

    leaf_own, leaf_inclusive, leaf_calls = _named(counts, "_leaf")
    branch_own, branch_inclusive, branch_calls = _named(counts, "_branch")
    assert (leaf_calls, branch_calls) == (6, 3)
    assert leaf_own == leaf_inclusive > 0  # it calls nothing traced
    assert branch_inclusive == branch_own + leaf_inclusive
    assert counts.per_run == (branch_own + leaf_own) / 3
    assert counts.calls_per_run == 3  # one _branch and two _leaf per run


def test_a_recursive_function_counts_each_instruction_once_inclusively() -> None:
    def down(depth: int) -> int:
        return 0 if depth == 0 else down(depth - 1) + 1

    counts = count(lambda: down(5), runs=1)

    (key,) = (key for key in counts.calls if ":down:" in key)
    assert counts.calls[key] == 6
    assert counts.inclusive[key] == counts.own[key]


def test_the_comparison_lists_what_the_service_runs_beyond_the_baseline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    made_up = {
        "service": Counts(2, Counter(a=300, b=100), Counter(a=400, b=100), Counter(a=2, b=2)),
        "baseline": Counts(2, Counter(a=100, c=60), Counter(a=160, c=60), Counter(a=2, c=2)),
    }
    monkeypatch.setattr(opcodes, "counted", lambda target, *_: made_up[target])

    opcodes.main(["--url", "postgresql://nowhere", "--kind", "reserve", "--compare"])

    out = capsys.readouterr().out
    assert "service, reserve: 200 bytecode instructions and 2 Python calls per request" in out
    assert "baseline, reserve: 80 bytecode instructions" in out
    assert "service beyond baseline: 120 per request" in out
    listed = [line.split() for line in out.splitlines()[-3:]]
    assert listed == [["100", "1.0", "1.0", "a"], ["50", "1.0", "0.0", "b"],
                      ["-30", "0.0", "1.0", "c"]]  # fmt: skip
