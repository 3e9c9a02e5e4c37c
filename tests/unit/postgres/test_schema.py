"""The tables hold no stay longer than the domain's longest."""

from __future__ import annotations

from ota_adapters.postgres.schema import reservation_table
from ota_core import LONGEST_STAY_NIGHTS


def test_the_nights_check_of_the_tables_is_the_longest_stay() -> None:
    [check] = [c for c in reservation_table.constraints if c.name == "reservation_nights_check"]
    assert f"BETWEEN 1 AND {LONGEST_STAY_NIGHTS}" in str(check.sqltext)  # type: ignore[attr-defined]
