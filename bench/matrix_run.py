"""Timing the designs cell by cell: samples, one client, page checks, plans.

A cell is a season (one occupancy level) and a number of nights. Its samples
are random first nights inside the season with random cursors (a quarter of
them first pages). All designs of a cell run the same samples on one
connection, taking turns sample by sample, so the machine's load hits them
alike; a design stops early once it has spent its time budget on the cell
(slow cells get fewer samples, never fewer than `min_samples`).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Sequence
from typing import Any

import attrs
from psycopg2.extensions import connection

from bench.matrix_designs import Design
from bench.matrix_seasons import Season

SESSION = {"jit": "off", "max_parallel_workers_per_gather": "0"}  # the service's
SESSION_OPTIONS = " ".join(f"-c {name}={value}" for name, value in SESSION.items())
FIRST_PAGE_SHARE = 0.25
WARM_UP = 5


@attrs.frozen
class Sample:
    start: dt.date
    nights: int
    after: str  # '' for the first page

    def params(self, limit: int, budget: int, cap: int = 500) -> dict[str, Any]:
        end = self.start + dt.timedelta(days=self.nights)
        return {"start": self.start, "end": end, "after": self.after, "limit": limit,
                "budget": budget, "cap": cap, "now": dt.datetime.now(dt.UTC)}  # fmt: skip


@attrs.frozen
class Cell:
    occupancy: float
    nights: int


@attrs.frozen
class Stats:
    """One design in one cell: milliseconds per query, pages, 404s."""

    design: str
    samples: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    mean_rows: float
    first_pages: int
    not_found: int  # first pages with no property: the API's 404
    not_found_p99_ms: float | None
    mismatches: int  # pages that differ, sample by sample, from those of the design that ran most


@attrs.frozen
class CellResult:
    cell: Cell
    stats: list[Stats]
    plans: dict[str, str]  # design -> EXPLAIN (ANALYZE, BUFFERS) of its slowest sample


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with `share` of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def samples_for(
    season: Season, nights: int, ids: Sequence[str], count: int, rng: random.Random
) -> list[Sample]:
    return [
        Sample(
            season.first_night + dt.timedelta(days=rng.randrange(season.search_starts(nights))),
            nights,
            "" if rng.random() < FIRST_PAGE_SHARE else rng.choice(ids),
        )
        for _ in range(count)
    ]


@attrs.frozen
class Budget:
    """What a design may spend on a cell, the page it asks for, and whose plans to keep."""

    limit: int = 101  # a page of 100 and one more to know if another follows
    probe_budget: int = 400
    sparse_cap: int = 500  # (f), (g): at most this many gaps read before walking chunks
    seconds_per_design: float = 10.0
    min_samples: int = 20
    explain: str = "ade"  # designs whose slowest sample is run again under EXPLAIN ANALYZE


def run_sample(
    conn: connection, design: Design, sample: Sample, budget: Budget
) -> tuple[float, list[str]]:
    """Milliseconds and the page of one search, as the client sees them."""
    params = sample.params(budget.limit, budget.probe_budget, budget.sparse_cap)
    with conn.cursor() as cur:
        started = time.perf_counter()
        cur.execute(design.sql(first_page=not sample.after), params)
        rows = cur.fetchall()
        elapsed = time.perf_counter() - started
    return elapsed * 1000, [row[0] for row in rows]


def run_designs(
    conn: connection, designs: Sequence[Design], samples: Sequence[Sample], budget: Budget
) -> dict[str, tuple[list[float], list[list[str]]]]:
    """Each design's milliseconds and pages, sample by sample, the designs taking turns.

    Taking turns on every sample makes a change of the machine's load hit every
    design alike. A design leaves once it has spent its time budget (and run
    `min_samples`); the others go on.
    """
    for design in designs:
        for sample in samples[:WARM_UP]:
            run_sample(conn, design, sample, budget)
    runs: dict[str, tuple[list[float], list[list[str]]]] = {d.key: ([], []) for d in designs}
    active = list(designs)
    for sample in samples:
        for design in list(active):
            elapsed, page = run_sample(conn, design, sample, budget)
            times, pages = runs[design.key]
            times.append(elapsed)
            pages.append(page)
            if sum(times) > budget.seconds_per_design * 1000 and len(times) >= budget.min_samples:
                active.remove(design)
    return runs


def stats_of(
    design: str,
    samples: Sequence[Sample],
    times: Sequence[float],
    pages: Sequence[list[str]],
    reference: Sequence[list[str]],
) -> Stats:
    firsts = [i for i, s in enumerate(samples[: len(times)]) if not s.after]
    empty = [i for i in firsts if not pages[i]]
    compared = min(len(pages), len(reference))
    return Stats(
        design,
        len(times),
        percentile(times, 0.50),
        percentile(times, 0.99),
        max(times),
        statistics.fmean(len(page) for page in pages),
        len(firsts),
        len(empty),
        percentile([times[i] for i in empty], 0.99) if empty else None,
        sum(pages[i] != reference[i] for i in range(compared)),
    )


def explain(conn: connection, design: Design, sample: Sample, budget: Budget) -> str:
    with conn.cursor() as cur:
        cur.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + design.sql(first_page=not sample.after),
            sample.params(budget.limit, budget.probe_budget, budget.sparse_cap),
        )
        return "\n".join(row[0] for row in cur.fetchall())


def run_cell(
    conn: connection,
    cell: Cell,
    samples: Sequence[Sample],
    designs: Sequence[Design],
    budget: Budget,
) -> CellResult:
    stats, plans = [], {}
    runs = run_designs(conn, designs, samples, budget)
    reference = max((pages for _, pages in runs.values()), key=len)  # checked against the others
    for design in designs:
        times, pages = runs[design.key]
        stats.append(stats_of(design.key, samples, times, pages, reference))
        if design.key in budget.explain:
            slowest = max(range(len(times)), key=times.__getitem__)
            plans[design.key] = explain(conn, design, samples[slowest], budget)
    return CellResult(cell, stats, plans)
