"""The bound on stored stays, and what it means for the availability policy."""

from __future__ import annotations

import pytest

from ota_adapters.postgres import MAX_STAY_NIGHTS, check_policy_fits
from ota_adapters.postgres.schema import reservation_table
from ota_core import AvailabilityPolicy


def test_the_default_policy_fits_the_schema() -> None:
    check_policy_fits(AvailabilityPolicy())


def test_a_policy_allowing_longer_stays_than_the_schema_holds_is_refused() -> None:
    with pytest.raises(ValueError, match=f"above {MAX_STAY_NIGHTS}"):
        check_policy_fits(AvailabilityPolicy(max_nights=MAX_STAY_NIGHTS + 1))


def test_the_nights_check_of_the_tables_is_the_bound() -> None:
    [check] = [c for c in reservation_table.constraints if c.name == "reservation_nights_check"]
    assert f"BETWEEN 1 AND {MAX_STAY_NIGHTS}" in str(check.sqltext)  # type: ignore[attr-defined]
