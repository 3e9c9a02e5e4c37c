"""Python bytecode instructions per request, by function: where a request's interpreter work goes.

`bench.instructions` counts the machine instructions of a request, but
callgrind cannot tell which Python function spent them. This tracer can: it
sends N requests of one kind straight to an app (as `bench.instructions`
does: no server, no threads) under `sys.settrace` with opcode events, and
counts, per request, the bytecode instructions each function runs itself
(`self`) and with all it calls (`inclusive`). Like callgrind's, the counts
repeat from run to run (random stays aside) whatever the machine is doing.
Code in C (pydantic-core, psycopg2, the regex engine) runs no bytecode: only
the Python around it is seen.

    python -m bench.opcodes --url postgresql://... --kind reserve [--target service] [--top 40]
    python -m bench.opcodes --url postgresql://... --kind reserve --compare

`--compare` counts both apps and lists, function by function, what the
service runs beyond the thin baseline. `--log-level` is the service's
LOG_LEVEL (default INFO: its request lines, written to a pipe as under gunicorn).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from types import CodeType, FrameType
from typing import Any

import attrs

from bench.instructions import WARM_UP, Caller, app_of, command_line, parse_with_work, run_work
from bench.load import host

TARGETS = ("service", "baseline")


@attrs.frozen
class Counts:
    """Bytecode instructions and Python calls of `runs` runs, per function (`file:name:line`)."""

    runs: int
    own: Counter[str]
    inclusive: Counter[str]
    calls: Counter[str]

    @property
    def per_run(self) -> float:
        return sum(self.own.values()) / self.runs

    @property
    def calls_per_run(self) -> float:
        return sum(self.calls.values()) / self.runs


def where(code: CodeType) -> str:
    """A function as `path:name:first line`, its path from its package down."""
    path = code.co_filename
    for marker in ("site-packages/", f"{os.getcwd()}/"):
        path = path.split(marker, 1)[-1]
    return f"{path}:{code.co_name}:{code.co_firstlineno}"


def count(call: Callable[[], object], runs: int) -> Counts:
    """Run `call` `runs` times under the tracer; what each function ran, in all."""
    own: Counter[CodeType] = Counter()
    inclusive: Counter[CodeType] = Counter()
    calls: Counter[CodeType] = Counter()

    def trace(frame: FrameType, event: str, _arg: object) -> Any:
        if event == "call":
            frame.f_trace_opcodes = True
            frame.f_trace_lines = False
            calls[frame.f_code] += 1
        elif event == "opcode":
            own[frame.f_code] += 1
            on_stack: set[CodeType] = set()  # a recursive function counts once per opcode
            caller: FrameType | None = frame
            while caller is not None and caller.f_code is not here:
                if caller.f_code not in on_stack:
                    on_stack.add(caller.f_code)
                    inclusive[caller.f_code] += 1
                caller = caller.f_back
        return trace

    here = sys._getframe().f_code  # the frames above the runs are not theirs
    sys.settrace(trace)
    try:
        for _ in range(runs):
            call()
    finally:
        sys.settrace(None)

    def named(counter: Counter[CodeType]) -> Counter[str]:
        return Counter({where(code): n for code, n in counter.items()})

    return Counts(runs, named(own), named(inclusive), named(calls))


def work(target: str, kind: str, url: str, requests: int) -> None:
    """The counting process: one app, warmed up; its counts as JSON on stdout.

    Each app is counted in a process of its own, as `bench.instructions` does:
    the service sets process-wide state (psycopg2's wait callback) that would
    otherwise run in the baseline's requests too.
    """
    call = Caller(app_of(target, url), kind, url)
    for _ in range(WARM_UP):
        call()
    with open(os.devnull, "w") as log, contextlib.redirect_stderr(log):  # the request lines
        counts = count(call, requests)
    print(json.dumps(attrs.asdict(counts)))


def counted(target: str, kind: str, url: str, requests: int, log_level: str) -> Counts:
    """`work` in a process of its own."""
    done = run_work(target, kind, url, requests, log_level, module="bench.opcodes")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return Counts(found["runs"], *(Counter(found[k]) for k in ("own", "inclusive", "calls")))


def table(counts: Counts, key: str, top: int) -> list[str]:
    """The `top` functions by `key` (`own` or `inclusive`), per run, with their calls per run."""
    counter: Counter[str] = getattr(counts, key)
    return [f"{n / counts.runs:8.0f} {counts.calls[name] / counts.runs:6.1f}  {name}"
            for name, n in counter.most_common(top)]  # fmt: skip


def difference(mine: Counts, theirs: Counts, top: int) -> list[str]:
    """What `mine` runs itself beyond `theirs`, per run, the largest differences first."""
    names = set(mine.own) | set(theirs.own)
    beyond = {name: mine.own[name] / mine.runs - theirs.own[name] / theirs.runs for name in names}
    ranked = sorted(beyond.items(), key=lambda item: -item[1])[:top]
    return [
        f"{extra:8.0f} {mine.calls[name] / mine.runs:6.1f} "
        f"{theirs.calls[name] / theirs.runs:6.1f}  {name}"
        for name, extra in ranked
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database filled by bench.generate")
    parser.add_argument("--kind", default="reserve", choices=("search", "reserve", "get",
                                                              "conflict"))  # fmt: skip
    parser.add_argument("--target", default="service", choices=TARGETS)
    parser.add_argument("--compare", action="store_true", help="the service less the baseline")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=40, help="functions listed per table")
    parser.add_argument("--log-level", default="INFO", help="the service's LOG_LEVEL")
    args = parse_with_work(parser, argv)
    if args.work:
        work(*args.work)
        return
    command_line("bench.opcodes", argv)
    print(f"machine: {host()}")
    targets = TARGETS if args.compare else (args.target,)
    found = {t: counted(t, args.kind, args.url, args.requests, args.log_level) for t in targets}
    for target, counts in found.items():
        print(f"{target}, {args.kind}: {counts.per_run:.0f} bytecode instructions and "
              f"{counts.calls_per_run:.0f} Python calls per request")  # fmt: skip
    if args.compare:
        mine, theirs = found["service"], found["baseline"]
        print(f"service beyond baseline: {mine.per_run - theirs.per_run:.0f} per request")
        print("  beyond  calls  calls  function (own instructions, service less baseline)")
        print("\n".join(difference(mine, theirs, args.top)))
        return
    (counts,) = found.values()
    for key in ("inclusive", "own"):
        print(f"\n{key:>8s}  calls  function")
        print("\n".join(table(counts, key, args.top)))


if __name__ == "__main__":
    main()
