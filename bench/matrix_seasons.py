"""Seasons of the search matrix: one per occupancy level, and the stays that fill them.

Every property gets, in each season, stays of 1-14 nights laid out by an
alternating renewal process: a stay, then a free gap whose mean length makes
the season's booked share of property-nights the season's occupancy (zero gaps,
so back-to-back stays, when it is 100%). The process starts in its stationary
state (in a gap with probability 1 - occupancy), so a season's first nights are
as booked as its middle ones. Stays end at the season's end, which never
reaches the next season. Pure functions of a seeded `random.Random`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator, Sequence

import attrs

LONGEST_STAY = 14
SEASON_NIGHTS = 28  # every search of up to 14 nights starts and ends inside one season
SEASON_SPACING = 35  # days from one season's first night to the next one's
FIRST_SEASON = dt.date(2030, 1, 7)
OCCUPANCIES = (0.01, 0.30, 0.70, 0.95, 1.00)
ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 14


@attrs.frozen
class Season:
    """A stretch of nights booked to one occupancy level, in which searches start and end."""

    first_night: dt.date
    nights: int
    occupancy: float

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.occupancy <= 1 or self.nights < LONGEST_STAY:
            raise ValueError("occupancy must be in [0, 1] and a season hold the longest stay")

    def mean_gap(self) -> float:
        """The mean free nights after a stay that make `occupancy` the booked share."""
        mean_stay = (1 + LONGEST_STAY) / 2
        return (
            math.inf if self.occupancy == 0 else mean_stay * (1 - self.occupancy) / self.occupancy
        )

    def search_starts(self, nights: int) -> int:
        """How many first nights a search of `nights` can have inside the season."""
        return self.nights - nights + 1


def seasons(occupancies: Sequence[float] = OCCUPANCIES) -> list[Season]:
    return [
        Season(FIRST_SEASON + dt.timedelta(days=i * SEASON_SPACING), SEASON_NIGHTS, occupancy)
        for i, occupancy in enumerate(occupancies)
    ]


def geometric(rng: random.Random, mean: float) -> int:
    """A draw of 0, 1, 2, ... nights with the given mean (memoryless, like free nights)."""
    if mean <= 0:
        return 0
    if math.isinf(mean):
        return 2**31
    keep_going = mean / (1 + mean)
    return int(math.log(1 - rng.random()) / math.log(keep_going))


def season_stays(rng: random.Random, season: Season) -> list[tuple[int, int]]:
    """One property's stays in a season: (first night's offset, nights), in order, disjoint."""
    if season.occupancy == 0:
        return []
    stays: list[tuple[int, int]] = []
    opens_in_a_stay = rng.random() < season.occupancy
    nights = rng.randint(1, LONGEST_STAY)
    position = -rng.randrange(nights) if opens_in_a_stay else geometric(rng, season.mean_gap())
    while position < season.nights:
        first, last = max(position, 0), min(position + nights, season.nights)
        stays.append((first, last - first))
        position += nights + geometric(rng, season.mean_gap())
        nights = rng.randint(1, LONGEST_STAY)
    return stays


def property_ids(rng: random.Random, count: int) -> list[str]:
    """`count` distinct random ids like the sample data's, in the order "C" collation sorts them."""
    ids: set[str] = set()
    while len(ids) < count:
        ids.add("".join(rng.choices(ID_ALPHABET, k=ID_LENGTH)))
    return sorted(ids)


def stay_rows(
    rng: random.Random, ids: Sequence[str], all_seasons: Sequence[Season]
) -> Iterator[tuple[str, dt.date, int]]:
    """(property id, first night, nights) of every stay of every property in every season."""
    for property_id in ids:
        for season in all_seasons:
            for offset, nights in season_stays(rng, season):
                yield property_id, season.first_night + dt.timedelta(days=offset), nights


def booked_share(stays: Sequence[tuple[int, int]], first: int, nights: int) -> float:
    """The share of the nights [first, first + nights) that the stays book."""
    booked = sum(
        max(0, min(offset + length, first + nights) - max(offset, first))
        for offset, length in stays
    )
    return booked / nights
