"""The matrix's results as a Markdown table, one line per cell, and an SVG plot of p99s.

The plot has one column per cell (occupancy, then nights) and one marker per
design at its p99, on a logarithmic scale from 0.1 ms to 10 s, with the 20 ms
goal drawn across. Written by hand: the benchmarks need no plotting library.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from html import escape

from bench.matrix_run import CellResult
from bench.matrix_throughput import Throughput

GOAL_MS = 20.0
COLOURS = {"a": "#d62728", "b": "#ff7f0e", "c": "#9467bd", "d": "#1f77b4", "e": "#2ca02c",
           "f": "#8c564b", "g": "#17becf", "h": "#e377c2"}  # fmt: skip
LOW_MS, HIGH_MS = 0.1, 10_000.0
WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 900, 420, 60, 40, 70


def cell_name(result: CellResult) -> str:
    return f"{result.cell.occupancy:.0%} / {result.cell.nights} n"


def cell_line(result: CellResult) -> str:
    parts = [f"{s.design}: {s.p50_ms:.1f}/{s.p99_ms:.1f} ms" for s in result.stats]
    return f"{cell_name(result):>12}  " + "  ".join(parts)


def markdown(results: Sequence[CellResult], throughput: Sequence[Throughput], count: int) -> str:
    designs = [s.design for s in results[0].stats] if results else []
    head = "| occupancy | nights | " + " | ".join(f"({d}) p50 / p99 ms" for d in designs)
    lines = [
        f"{count:,} properties; one client; p50 / p99 in ms (samples); "
        "rows = mean rows per page; 404 = empty first pages and their p99",
        "",
        head + " | rows | 404 | differing pages |",
        "|" + "---|" * (len(designs) + 5),
    ]
    for result in results:
        cells = [f"{s.p50_ms:.2f} / {s.p99_ms:.2f} ({s.samples})" for s in result.stats]
        first = max(result.stats, key=lambda s: s.samples)  # the most samples counted
        not_found = [f"{s.design} {s.not_found_p99_ms:.1f}" for s in result.stats
                     if s.not_found_p99_ms is not None]  # fmt: skip
        not_found_text = f"{first.not_found}/{first.first_pages}" + (
            f": {', '.join(not_found)} ms" if not_found else ""
        )
        lines.append(
            f"| {result.cell.occupancy:.0%} | {result.cell.nights} | " + " | ".join(cells)
            + f" | {first.mean_rows:.0f} | {not_found_text} | "
            + ", ".join(f"{s.design} {s.mismatches}" for s in result.stats) + " |"
        )  # fmt: skip
    if throughput:
        lines += ["", throughput_table(throughput)]
    return "\n".join(lines) + "\n"


def throughput_table(runs: Sequence[Throughput]) -> str:
    """Searches per second per case and design: the median over rounds, then each round's."""
    lines = ["| case | design | clients | median q/s | q/s by round | mean ms |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    keys = dict.fromkeys((t.case, t.occupancy, t.design) for t in runs)
    for case, occupancy, design in keys:
        mine = sorted((t for t in runs if (t.case, t.design) == (case, design)),
                      key=lambda t: t.round)  # fmt: skip
        rates = ", ".join(f"{t.tps:,.0f}" for t in mine)
        lines.append(
            f"| {case} ({occupancy:.0%}) | {design} | {mine[0].clients} | "
            f"{statistics.median(t.tps for t in mine):,.0f} | {rates} | "
            f"{statistics.median(t.mean_latency_ms for t in mine):.1f} |"
        )
    return "\n".join(lines)


def y_of(ms: float) -> float:
    """The vertical position of a latency on the plot's log scale."""
    clamped = min(max(ms, LOW_MS), HIGH_MS)
    share = math.log10(clamped / LOW_MS) / math.log10(HIGH_MS / LOW_MS)
    return TOP + (1 - share) * (HEIGHT - TOP - BOTTOM)


def svg(results: Sequence[CellResult], count: int) -> str:
    step = (WIDTH - LEFT - 20) / max(1, len(results))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        'font-family="sans-serif" font-size="11">',
        f'<text x="{LEFT}" y="20" font-size="14">p99 per query, one client, '
        f"{count:,} properties (log scale)</text>",
    ]
    for power in range(-1, 5):
        y = y_of(10.0**power)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - 20}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#ddd"/>')  # fmt: skip
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f"{10.0**power:g} ms</text>")  # fmt: skip
    goal = y_of(GOAL_MS)
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - 20}" y1="{goal:.1f}" y2="{goal:.1f}" '
                 'stroke="#000" stroke-dasharray="4 3"/>')  # fmt: skip
    for i, result in enumerate(results):
        x = LEFT + step * (i + 0.5)
        label = escape(cell_name(result))
        parts.append(f'<text transform="translate({x:.1f},{HEIGHT - BOTTOM + 10}) rotate(60)">'
                     f"{label}</text>")  # fmt: skip
        for j, stats in enumerate(result.stats):
            dx = (j - (len(result.stats) - 1) / 2) * min(4.0, step / 6)
            parts.append(
                f'<circle cx="{x + dx:.1f}" cy="{y_of(stats.p99_ms):.1f}" r="3" '
                f'fill="{COLOURS.get(stats.design, "#000")}"><title>({stats.design}) '
                f"{stats.p99_ms:.2f} ms</title></circle>"
            )
    legend = sorted({s.design for r in results for s in r.stats})
    for k, design in enumerate(legend):
        x = LEFT + 420 + k * 60
        parts.append(f'<circle cx="{x}" cy="16" r="4" fill="{COLOURS.get(design, "#000")}"/>'
                     f'<text x="{x + 8}" y="20">({design})</text>')  # fmt: skip
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
