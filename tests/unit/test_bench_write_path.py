"""The write-path benchmark's pure parts: its statements and pgbench's report."""

from __future__ import annotations

import re

import pytest

from bench import write_sql
from bench.write_pgbench import inline, per_operation, script

REPORT = """
statement latencies in milliseconds and failures:
         0.002           0  \\set k random(1, 1000)
         0.350           0  SELECT property_id AS p FROM bench_cursor WHERE k = :k
         0.100           0  BEGIN;
         1.500           0  WITH locked AS (SELECT property_id FROM property ...
         2.000           0  COMMIT;
         0.100           0  BEGIN;
         1.000           0  WITH locked AS (SELECT property_id FROM property ...
         2.000           0  COMMIT;
         0.200           0  BEGIN;
         0.800           0  WITH locked AS (SELECT property_id FROM property ...
         1.000           0  COMMIT;
"""


def test_each_operation_costs_its_statements_from_begin_to_commit() -> None:
    assert per_operation(REPORT) == pytest.approx({"book": 3.6, "move": 3.1, "cancel": 2.0})


def test_every_way_names_every_operation_and_only_known_values() -> None:
    for way, operations in write_sql.WAYS.items():
        assert set(operations) == {"book", "move", "cancel"}, way
        for statement in (s for ss in operations.values() for s in ss):
            used = set(re.findall(r"%\((\w+)\)s", statement))
            assert used <= {"p", "start", "nights", "new_start", "new_nights", "region"}
        assert way in write_sql.UPKEEP


def test_the_pgbench_script_has_three_transactions_with_every_value_inline() -> None:
    text = script("i", 1000)
    assert text.count("BEGIN;") == text.count("COMMIT;") == 3
    assert "%(" not in text
    assert inline("SELECT %(p)s,\n  %(start)s") == "SELECT ':p', (date '2032-01-01' + :d);"


def test_ways_that_lock_take_the_property_lock_before_writing_a_stay() -> None:
    for way in ("i", "ii", "iii"):
        for statements in write_sql.WAYS[way].values():
            assert "FOR NO KEY UPDATE" in statements[0]
    assert all(
        "FOR NO KEY UPDATE" not in s
        for statements in write_sql.WAYS["unlocked"].values()
        for s in statements
    )
