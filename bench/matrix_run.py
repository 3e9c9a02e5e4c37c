"""Timing the designs cell by cell: samples, one client, page checks, plans.

A cell is a season (one occupancy level) and a number of nights. Its samples
are random first nights inside the season with random cursors (a quarter of
them first pages). All designs of a cell run the same samples one after the
other on one connection, so machine load hits them alike; a design stops
early once it has spent its time budget on the cell (slow cells get fewer
samples, never fewer than `min_samples`).
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

    def params(self, limit: int, budget: int) -> dict[str, Any]:
        end = self.start + dt.timedelta(days=self.nights)
        return {"start": self.start, "end": end, "after": self.after, "limit": limit,
                "budget": budget}  # fmt: skip


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
    mismatches: int  # pages that differ from the first design's for the same sample


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
    seconds_per_design: float = 10.0
    min_samples: int = 20
    explain: str = "ade"  # designs whose slowest sample is run again under EXPLAIN ANALYZE


def run_design(
    conn: connection, design: Design, samples: Sequence[Sample], budget: Budget
) -> tuple[list[float], list[list[str]]]:
    """Milliseconds and pages of the samples run within the budget, in order."""
    times: list[float] = []
    pages: list[list[str]] = []
    spent = 0.0
    with conn.cursor() as cur:
        for sample in samples[:WARM_UP]:
            params = sample.params(budget.limit, budget.probe_budget)
            cur.execute(design.sql(first_page=not sample.after), params)
            cur.fetchall()
        for sample in samples:
            params = sample.params(budget.limit, budget.probe_budget)
            started = time.perf_counter()
            cur.execute(design.sql(first_page=not sample.after), params)
            rows = cur.fetchall()
            elapsed = time.perf_counter() - started
            times.append(elapsed * 1000)
            pages.append([row[0] for row in rows])
            spent += elapsed
            if spent > budget.seconds_per_design and len(times) >= budget.min_samples:
                break
    return times, pages


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
            sample.params(budget.limit, budget.probe_budget),
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
    reference: list[list[str]] = []
    for design in designs:
        times, pages = run_design(conn, design, samples, budget)
        stats.append(stats_of(design.key, samples, times, pages, reference))
        reference = reference + pages[len(reference) :]  # the first design to reach a sample
        if design.key in budget.explain:
            slowest = max(range(len(times)), key=times.__getitem__)
            plans[design.key] = explain(conn, design, samples[slowest], budget)
    return CellResult(cell, stats, plans)
