"""The search matrix's pure parts: seasons and their stays, samples, SQL text, reports."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random
import re

import pytest

from bench.matrix_data import RowStream
from bench.matrix_designs import designs
from bench.matrix_plot import GOAL_MS, markdown, svg, throughput_table, y_of
from bench.matrix_run import Budget, Cell, CellResult, Stats, percentile, samples_for
from bench.matrix_seasons import (
    LONGEST_STAY,
    SEASON_SPACING,
    Season,
    booked_share,
    geometric,
    property_ids,
    season_stays,
    seasons,
    stay_rows,
)
from bench.matrix_throughput import Throughput, script

PLACEHOLDERS = {"start", "end", "after", "limit", "budget", "cap", "now"}


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 -- reproducible data, nothing secret


@pytest.mark.parametrize("occupancy", [0.01, 0.3, 0.7, 0.95, 1.0])
def test_a_seasons_stays_are_disjoint_inside_it_and_book_its_occupancy(occupancy: float) -> None:
    season = Season(dt.date(2030, 1, 7), 28, occupancy)
    rng = seeded(1)
    properties = [season_stays(rng, season) for _ in range(4000)]

    for stays in properties:
        ends = [0]
        for offset, nights in stays:
            assert offset >= ends[-1]
            assert 1 <= nights <= LONGEST_STAY
            ends.append(offset + nights)
        assert ends[-1] <= season.nights
    share = sum(booked_share(stays, 0, season.nights) for stays in properties) / len(properties)
    assert share == pytest.approx(occupancy, abs=0.01)


def test_a_full_season_is_booked_back_to_back_on_every_night() -> None:
    season = Season(dt.date(2030, 1, 7), 28, 1.0)
    stays = season_stays(seeded(3), season)

    assert booked_share(stays, 0, season.nights) == 1.0
    assert all(a + n == b for (a, n), (b, _) in itertools.pairwise(stays))


def test_an_empty_season_has_no_stay_and_free_nights_have_the_asked_mean() -> None:
    rng = seeded(5)
    assert season_stays(rng, Season(dt.date(2030, 1, 7), 28, 0.0)) == []
    draws = [geometric(rng, 3.0) for _ in range(20000)]
    assert sum(draws) / len(draws) == pytest.approx(3.0, rel=0.05)
    assert geometric(rng, 0.0) == 0


def test_seasons_do_not_touch_and_a_season_must_hold_the_longest_stay() -> None:
    firsts = [s.first_night for s in seasons()]
    assert all((b - a).days == SEASON_SPACING > 28 for a, b in itertools.pairwise(firsts))
    with pytest.raises(ValueError, match="longest stay"):
        Season(dt.date(2030, 1, 7), LONGEST_STAY - 1, 0.5)


def test_property_ids_are_distinct_and_in_c_collation_order() -> None:
    ids = property_ids(seeded(2), 500)
    assert len(set(ids)) == 500
    assert ids == sorted(ids, key=lambda i: i.encode())


def test_the_same_seed_gives_the_same_stays() -> None:
    def rows(seed: int) -> list[tuple[str, dt.date, int]]:
        rng = seeded(seed)
        return list(stay_rows(rng, property_ids(rng, 50), seasons()))

    assert rows(9) == rows(9)
    assert rows(9) != rows(10)


def test_samples_start_and_end_inside_their_season() -> None:
    season = seasons()[2]
    samples = samples_for(season, 14, ["A", "B"], 500, seeded(4))
    last_end = season.first_night + dt.timedelta(days=season.nights)

    assert all(season.first_night <= s.start for s in samples)
    assert all(s.start + dt.timedelta(days=s.nights) <= last_end for s in samples)
    assert 50 < sum(not s.after for s in samples) < 200  # about a quarter are first pages


def test_the_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([7.0], 0.99) == 7.0


def test_rows_stream_to_copy_as_tab_separated_lines_in_any_chunk_size() -> None:
    stream = RowStream([("a", 1), ("b", dt.date(2030, 1, 2))])
    text = "".join(iter(lambda: stream.read(3), ""))
    assert text == "a\t1\nb\t2030-01-02\n"
    with pytest.raises(io.UnsupportedOperation):
        stream.readline()


def test_every_design_uses_only_the_known_placeholders() -> None:
    for design in designs():
        for first_page in (True, False):
            used = set(re.findall(r"%\((\w+)\)s", design.sql(first_page=first_page)))
            assert used <= PLACEHOLDERS, design.key
            assert "{" not in design.sql(first_page=first_page)


def test_design_a_probes_with_the_look_back_inline_and_g_calls_the_search_function() -> None:
    by_key = {design.key: design for design in designs()}
    assert "- 365" in by_key["a"].sql(first_page=False)
    assert "free_properties(" in by_key["g"].sql(first_page=True)


def test_the_pgbench_script_leaves_no_psycopg2_placeholder() -> None:
    text = script(designs()[5], seasons()[3], 1000, Budget())
    assert "%(" not in text
    assert "random(1, 1000)" in text
    assert "date '2030-04-22' + :d + :n" in text


def _result(occupancy: float, p99: float) -> CellResult:
    stats = Stats("d", 10, 1.0, p99, p99, 101.0, 3, 1, 2.0, 0)
    return CellResult(Cell(occupancy, 7), [stats], {})


def test_the_table_and_the_plot_show_every_cell() -> None:
    results = [_result(0.3, 1.5), _result(1.0, 25.0)]
    table = markdown(results, [], 1000)
    assert "| 30% | 7 | 1.00 / 1.50 (10)" in table
    assert "1/3: d 2.0 ms" in table
    picture = svg(results, 1000)
    assert picture.count("<circle") == 2 + 1  # one per cell and design, one in the legend
    assert y_of(GOAL_MS) > y_of(25.0) > y_of(1000.0)


def test_throughput_is_the_median_over_rounds_with_every_round_listed() -> None:
    runs = [
        Throughput(r, "busy", 0.95, "d", 16, 15, 100, tps, 10.0)
        for r, tps in ((1, 900.0), (2, 300.0), (3, 800.0))
    ]
    assert "| busy (95%) | d | 16 | 800 | 900, 300, 800 | 10.0 |" in throughput_table(runs)
