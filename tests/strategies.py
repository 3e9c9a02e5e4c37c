"""Hypothesis strategies for the domain's values."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from ota_core import DateRange

# A few weeks keep random stays dense enough to collide often.
FIRST_DAY = dt.date(2030, 1, 1)
WINDOW_DAYS = 40

days = st.integers(0, WINDOW_DAYS).map(lambda offset: FIRST_DAY + dt.timedelta(days=offset))
nights = st.integers(1, 10)
stays = st.builds(DateRange.from_nights, days, nights)

any_dates = st.dates()
any_stays = st.builds(
    DateRange.from_nights, st.dates(max_value=dt.date(9000, 1, 1)), st.integers(1, 3650)
)
