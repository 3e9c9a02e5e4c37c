"""System calls and context switches of a server's workers over a load phase (`perf stat`).

Requests/s and CPU time per request move with whatever else the machine runs;
how many system calls a request makes hardly does. Each call that waits or
reads (a database round trip, `getrandom`, writing a log line) makes a worker
thread hand the GIL to another and wait to get it back, and under 100 clients
that waiting is where a threaded worker's context switches come from. Counted
by the kernel's tracepoints through `perf stat`, for the worker processes and
all their threads, over the measured phase only.

Needs `perf` (Debian: linux-perf) and access to tracepoints (root, or
`kernel.perf_event_paranoid` at most 1); `bench.load --syscalls` says so when
it cannot count.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

EVENTS = {
    "system calls": "raw_syscalls:sys_enter",
    "context switches": "sched:sched_switch",
    "futex": "syscalls:sys_enter_futex",
    "getrandom": "syscalls:sys_enter_getrandom",
    "write": "syscalls:sys_enter_write",
}
_STOP_SECONDS = 10


def unavailable() -> str | None:
    """Why `perf stat` cannot count the events here, or None when it can."""
    if shutil.which("perf") is None:
        return "perf is not installed (Debian: apt-get install linux-perf)"
    done = subprocess.run(  # noqa: S603
        ["perf", "stat", "-x", ",", "-e", ",".join(EVENTS.values()), "--", "true"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"perf stat cannot read the tracepoints: {done.stderr.strip()[:200]}"
    return None


def parse_counts(csv: str) -> dict[str, int]:
    """`perf stat -x ,` output as {name in EVENTS: count}, without the events it did not count."""
    names = {event: name for name, event in EVENTS.items()}
    found = {}
    for line in csv.splitlines():
        fields = line.split(",")
        if len(fields) < 3 or fields[2] not in names:  # comments, blank lines
            continue
        try:
            found[names[fields[2]]] = int(float(fields[0]))
        except ValueError:  # "<not counted>", "<not supported>"
            continue
    return found


@contextmanager
def counting(pids: Sequence[int]) -> Iterator[dict[str, int]]:
    """Count EVENTS in the processes `pids` (every thread) while the block runs.

    The dict yielded is filled when the block ends.
    """
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="ota-perf-") as scratch:
        out = Path(scratch) / "stat.csv"
        command = ["perf", "stat", "-x", ",", "-o", str(out), "-e", ",".join(EVENTS.values()),
                   "-p", ",".join(map(str, pids))]  # fmt: skip
        perf = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
        try:
            yield counts
        finally:
            perf.send_signal(signal.SIGINT)  # perf stat writes its counts when interrupted
            _, stderr = perf.communicate(timeout=_STOP_SECONDS)
        if not out.exists():
            raise RuntimeError(f"perf stat counted nothing: {stderr.decode().strip()[:200]}")
        counts.update(parse_counts(out.read_text()))


def per_request(counts: dict[str, int], requests: int) -> dict[str, float]:
    return {name: round(count / max(requests, 1), 2) for name, count in counts.items()}
