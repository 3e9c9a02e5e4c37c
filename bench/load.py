"""HTTP load with 100 clients: the service under gunicorn against a thin baseline, in one run.

Starts the service (`gunicorn -c python:ota_web.gunicorn_conf ota_web.wsgi:app`,
STORAGE=postgres) and the baseline (`bench.baseline_app`, same gunicorn
settings) on the database at `--url`, filled by `bench.generate`, then runs
wrk phases (`bench/load.lua`) interleaved target by target: search, reserve,
get by id, a mix. Last, the baseline's design-(a) search runs with the search
B-tree dropped (so the planner can only use the exclusion constraint's GiST),
and the B-tree is rebuilt. Prints a table and writes JSON. Each ratio to the
baseline is the median over rounds of the ratio within a round (`--rounds`).
Each phase also reports the CPU milliseconds per request of the server's
processes and of PostgreSQL's, from /proc (`CpuMeter`), and with `--syscalls`
the system calls and context switches per request of the server's workers
(`bench.syscalls`, through `perf stat`).

    python -m bench.load --url postgresql://postgres@/ota_bench?host=... --json load.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import attrs

from bench import schema, syscalls
from bench.db import connect, execute, fetch_all, fetch_value, server_version
from ota_web.settings import DEFAULT_THREADS, DEFAULT_WORKERS

LUA = Path(__file__).with_name("load.lua")
SEARCH_PATH = "/api/v1/properties/available"
GIST_SEARCH_PATH = "/api/v1/properties/available-gist"
PROBE_SEARCH_PATH = "/api/v1/properties/available-probe"
PROBE_KIND = "search (probe, before issue 21)"
KINDS = ("search", "reserve", "get", "get-named", "mix")
RESERVATION_SAMPLE = 20_000
TOKEN = "Bearer 6f1c2a4e-8d3b-4b7a-9e5f-2c1d0a9b8e7f"  # noqa: S105 - a mock token


@attrs.frozen
class Target:
    """One server under test."""

    name: str
    port: int
    command: list[str]
    env: dict[str, str]
    cwd: Path | None = None  # another checkout of the service (`--checkouts`)


@attrs.frozen
class Options:
    url: str
    seconds: int = 30
    warm_up: int = 5
    connections: int = 100
    wrk_threads: int = 2
    rounds: int = 1
    kinds: tuple[str, ...] = KINDS
    log_levels: tuple[str, ...] = ("INFO",)
    checkouts: tuple[Path, ...] = ()
    workers: int = DEFAULT_WORKERS  # gunicorn's, for the services and the baseline alike
    threads: int = DEFAULT_THREADS
    gist: bool = True
    syscalls: bool = False  # count the workers' system calls per request (perf stat)
    first_port: int = 18000
    out_dir: Path = Path(".ota/bench")
    # Searches start on one of `season[1]` days from `season[0]` (ISO date) on.
    season: tuple[str, int] | None = None
    probe: bool = False  # also the baseline's search as it was before issue 21


@attrs.frozen
class Phase:
    target: str
    kind: str
    round: int
    started: str
    result: dict[str, Any]

    @property
    def rate(self) -> float:
        return float(self.result["requests"]) / (self.result["duration_us"] / 1e6)

    @property
    def transport_errors(self) -> int:
        errors = self.result["errors"]
        return int(errors["connect"] + errors["read"] + errors["write"] + errors["timeout"])


def machine() -> dict[str, Any]:
    return host() | {"wrk": wrk_version()}


def host() -> dict[str, Any]:
    """Cores, CPU model, memory, kernel and Python of this machine."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "mem_total_kib": mem_kb,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)  # noqa: S607
    return (done.stdout or done.stderr).split("\n", 1)[0]


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


_PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> dict[int, tuple[int, float]]:
    """Every process's parent and CPU seconds (its own and its reaped children's)."""
    found = {}
    for stat in _PROC.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it exited meanwhile
            continue
        # After the command: state, ppid, ...; utime, stime, cutime, cstime are fields 14-17.
        found[int(stat.parent.name)] = (int(fields[1]), sum(map(int, fields[11:15])) / _TICKS)
    return found


def _tree_seconds(root: int, processes: dict[int, tuple[int, float]]) -> float:
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, pending = 0.0, [root]
    while pending:
        pid = pending.pop()
        total += processes.get(pid, (0, 0.0))[1]
        pending += children.get(pid, [])
    return total


def _command(pid: int) -> str:
    try:
        return (_PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


@attrs.frozen
class CpuMeter:
    """CPU seconds of each server's processes (gunicorn and its workers) and of PostgreSQL's.

    Requests/s move with whatever else the machine runs; the CPU a request costs
    moves much less. Read from /proc, so on Linux only, and the database's only
    when it runs on this machine.
    """

    servers: dict[str, int]  # target name: its gunicorn's pid
    postmaster: int | None

    @classmethod
    def of(cls, servers: dict[str, int], url: str) -> CpuMeter | None:
        if not _PROC.is_dir():
            return None
        conn = connect(url)
        try:  # while the backend lives
            backend = int(fetch_value(conn, "SELECT pg_backend_pid()"))
            parent = _processes().get(backend, (0, 0.0))[0]
            # The pid of a backend on another machine may name some other process here.
            local = _command(backend) == "postgres" and _command(parent) == "postgres"
        finally:
            conn.close()
        return cls(servers, parent if local else None)

    def read(self, target: str) -> tuple[float, float | None]:
        processes = _processes()
        server = _tree_seconds(self.servers[target], processes)
        database = None if self.postmaster is None else _tree_seconds(self.postmaster, processes)
        return server, database

    def workers(self, target: str) -> list[int]:
        """The pids of the target's gunicorn workers, as they are now."""
        master = self.servers[target]
        return [pid for pid, (parent, _) in _processes().items() if parent == master]


def write_ids(url: str, directory: Path) -> tuple[Path, Path, dict[str, int]]:
    """All property ids and a sample of reservation ids, one per line, for the wrk script."""
    conn = connect(url)
    try:
        properties = [row[0] for row in fetch_all(conn, "SELECT property_id FROM property")]
        reservations = [
            f"{row[0]} {row[1]}"  # the id, then its property's
            for row in fetch_all(
                conn,
                "SELECT reservation_id, property_id FROM reservation TABLESAMPLE SYSTEM (1)"
                " LIMIT %s",
                (RESERVATION_SAMPLE,),
            )
        ]
        counts = {
            "properties": len(properties),
            "reservations": int(fetch_value(conn, "SELECT count(*) FROM reservation")),
        }
    finally:
        conn.close()
    if not reservations:
        raise SystemExit("the database holds no reservation: run bench.generate first")
    property_file = directory / "property-ids.txt"
    reservation_file = directory / "reservation-ids.txt"
    property_file.write_text("\n".join(properties) + "\n")
    reservation_file.write_text("\n".join(reservations) + "\n")
    return property_file, reservation_file, counts


POOL_PER_WORKER = 15  # the service's DB_POOL_SIZE + DB_MAX_OVERFLOW (defaults), the baseline's


def check_connections(max_connections: int, options: Options) -> None:
    """Stop early when the servers' pools could exhaust the database's connections."""
    services = len(options.log_levels) + len(options.checkouts)
    needed = (services + 1) * options.workers * POOL_PER_WORKER + 10  # + tools, margin
    if max_connections < needed:
        raise SystemExit(
            f"max_connections is {max_connections}; the servers' pools need up to {needed}"
        )


def targets(options: Options) -> list[Target]:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    base_env = {"DATABASE_URL": options.url, "WEB_CONCURRENCY": str(options.workers),
                "GUNICORN_THREADS": str(options.threads)}  # fmt: skip
    # One service per log level, then the first level's from each other checkout (say a
    # worktree of an earlier commit: gunicorn imports the app from its working directory).
    services = [(level, None) for level in options.log_levels]
    services += [(options.log_levels[0], checkout) for checkout in options.checkouts]
    found: list[Target] = []
    for port, (level, checkout) in enumerate(services, start=options.first_port):
        name = "service" if checkout is None else f"service@{checkout.resolve().name}"
        name += "" if level == "INFO" else f" {level}"
        env = {**base_env, "STORAGE": "postgres", "PORT": str(port), "LOG_LEVEL": level}
        command = [gunicorn, "-c", "python:ota_web.gunicorn_conf", "ota_web.wsgi:app"]
        found.append(Target(name, port, command, env, cwd=checkout))
    port = options.first_port + len(services)
    command = [gunicorn, "-c", "python:bench.baseline_conf", "bench.baseline_app:app"]
    found.append(Target("baseline", port, command, {**base_env, "PORT": str(port)}))
    return found


@contextmanager
def running(target: Target, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The target's gunicorn, its output (the request log) in `log`, stopped at the end."""
    env = {**os.environ, **target.env}
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            target.command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=target.cwd
        )
    try:
        wait_ready(target, process)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(target: Target, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Until a search answers (the benchmark database carries no Alembic revision for /readyz)."""
    url = f"http://127.0.0.1:{target.port}{SEARCH_PATH}?start_date=2024-01-01&nights=1&limit=1"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{target.name} exited with {process.returncode}")
        try:
            request = urllib.request.Request(url, headers={"Authorization": TOKEN})
            with urllib.request.urlopen(request, timeout=5):  # noqa: S310
                return
        except urllib.error.HTTPError as error:
            if error.code == 404:  # no free property: it answers
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{target.name} did not answer within {seconds:g} s")


def wrk(  # noqa: PLR0913, PLR0917
    options: Options, port: int, kind: str, path: str, ids: tuple[Path, Path], seconds: int
) -> dict[str, Any]:
    command = [
        "wrk", f"-t{options.wrk_threads}", f"-c{options.connections}", f"-d{seconds}s",
        "--timeout", "10s", "-s", str(LUA), f"http://127.0.0.1:{port}",
        "--", "mix" if kind == "mix" else kind, path, str(ids[0]), str(ids[1]),
    ]  # fmt: skip
    if options.season is not None:
        command += [options.season[0], str(options.season[1])]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    for line in done.stdout.splitlines():
        if line.startswith("LOAD_RESULT "):
            return dict(json.loads(line.removeprefix("LOAD_RESULT ")))
    raise RuntimeError(f"no result from wrk:\n{done.stdout}\n{done.stderr}")


def phase(  # noqa: PLR0913, PLR0917
    options: Options,
    target: Target,
    kind: str,
    round_: int,
    ids: tuple[Path, Path],
    path: str,
    meter: CpuMeter | None,
) -> Phase:
    wrk(options, target.port, kind, path, ids, options.warm_up)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    before = None if meter is None else meter.read(target.name)
    if options.syscalls and meter is not None:
        with syscalls.counting(meter.workers(target.name)) as counts:
            result = wrk(options, target.port, kind, path, ids, options.seconds)
        result["syscalls_per_request"] = syscalls.per_request(counts, int(result["requests"]))
    else:
        result = wrk(options, target.port, kind, path, ids, options.seconds)
    if meter is not None and before is not None:
        result["cpu_ms_per_request"] = _cpu_per_request(before, meter.read(target.name), result)
    result["load_average_after"] = load_average()
    label = {GIST_SEARCH_PATH: "search (a) GiST", PROBE_SEARCH_PATH: PROBE_KIND}.get(path, kind)
    done = Phase(target.name, label, round_, started, result)
    print_phase(done)
    return done


def _cpu_per_request(
    before: tuple[float, float | None], after: tuple[float, float | None], result: dict[str, Any]
) -> dict[str, float | None]:
    requests = max(int(result["requests"]), 1)
    server = (after[0] - before[0]) / requests * 1000
    database = None
    if before[1] is not None and after[1] is not None:
        database = round((after[1] - before[1]) / requests * 1000, 3)
    return {"server": round(server, 3), "database": database}


def gist_phase(
    options: Options, baseline: Target, ids: tuple[Path, Path], meter: CpuMeter | None
) -> tuple[Phase, float]:
    """Design (a) through the baseline with the search B-tree gone, then the B-tree rebuilt."""
    conn = connect(options.url, {"maintenance_work_mem": "1GB"})
    try:
        execute(conn, "DROP INDEX IF EXISTS reservation_search_idx")  # schema.SEARCH_BTREE_NAME
        try:
            result = phase(options, baseline, "search", 1, ids, GIST_SEARCH_PATH, meter)
        finally:
            started = time.perf_counter()
            execute(conn, schema.SEARCH_BTREE.sql)
            rebuilt = time.perf_counter() - started
    finally:
        conn.close()
    print(f"search B-tree rebuilt in {rebuilt:.1f} s", flush=True)
    return result, rebuilt


def rounds(
    options: Options, servers: list[Target], ids: tuple[Path, Path], meter: CpuMeter | None
) -> list[Phase]:
    """Each kind on every target, round after round; and the search before issue 21 if asked."""
    phases: list[Phase] = []
    for round_ in range(1, options.rounds + 1):
        for kind in options.kinds:
            # Alternate who goes first from round to round.
            order = servers if round_ % 2 else list(reversed(servers))
            phases += [phase(options, t, kind, round_, ids, SEARCH_PATH, meter) for t in order]
        if options.probe and "search" in options.kinds:
            baseline = servers[-1]
            phases.append(phase(options, baseline, "search", round_, ids, PROBE_SEARCH_PATH, meter))
    return phases


def run(options: Options) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    if options.syscalls and (reason := syscalls.unavailable()) is not None:
        raise SystemExit(f"--syscalls: {reason}")
    options.out_dir.mkdir(parents=True, exist_ok=True)
    conn = connect(options.url)
    try:
        version = server_version(conn)
        check_connections(int(fetch_value(conn, "SHOW max_connections")), options)
    finally:
        conn.close()
    report: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": shlex.join(["python", "-m", "bench.load", *sys.argv[1:]]),
        "machine": machine(),
        "server": version,
        "load_average_before": load_average(),
        "options": attrs.asdict(options, value_serializer=_plain),
    }
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory(prefix="ota-load-") as scratch, ExitStack() as stack:
        property_file, reservation_file, counts = write_ids(options.url, Path(scratch))
        report["data_before"] = counts
        ids = (property_file, reservation_file)
        servers = targets(options)
        pids = {}
        for target in servers:
            log = options.out_dir / f"load-{target.name.replace(' ', '-')}.log"
            pids[target.name] = stack.enter_context(running(target, log)).pid
        meter = CpuMeter.of(pids, options.url)
        phases += rounds(options, servers, ids, meter)
        if options.gist:
            gist, rebuilt = gist_phase(options, servers[-1], ids, meter)
            phases.append(gist)
            report["search_btree_rebuild_s"] = round(rebuilt, 1)
            rerun = options.rounds + 1
            phases.append(phase(options, servers[0], "search", rerun, ids, SEARCH_PATH, meter))
    report["load_average_after"] = load_average()
    report["phases"] = [attrs.asdict(p) | {"requests_per_s": round(p.rate, 1)} for p in phases]
    report["ratios"] = ratios(phases)
    report["ratios_by_round"] = round_ratios(phases)
    report["cpu_ms_per_request"] = per_request_medians(phases, "cpu_ms_per_request")
    if options.syscalls:
        report["syscalls_per_request"] = per_request_medians(phases, "syscalls_per_request")
    return report


def per_request_medians(phases: Sequence[Phase], measure: str) -> dict[str, dict[str, float]]:
    """Per target and kind, the median over rounds of each part of a per-request `measure`.

    A part some phase could not measure (the database's CPU on another machine) is left out.
    """
    found: dict[str, dict[str, float]] = {}
    for target, kind in sorted({(p.target, p.kind) for p in phases}):
        measured = [
            p.result[measure]
            for p in phases
            if (p.target, p.kind) == (target, kind) and measure in p.result
        ]
        parts = dict.fromkeys(part for m in measured for part in m)
        median = {
            part: round(statistics.median(m[part] for m in measured), 3)
            for part in parts
            if all(m.get(part) is not None for m in measured)
        }
        if median:
            found[f"{target}, {kind}"] = median
    return found


def ratios(phases: Sequence[Phase]) -> dict[str, float]:
    """Each service's requests/s over the baseline's, per kind: the median over rounds.

    A round runs the service's phase and the baseline's back to back, so each
    round's ratio compares the two on nearly the same machine; the median
    leaves out a round that something else running on the machine spoiled.
    """
    found: dict[str, float] = {}
    for name, by_round in round_ratios(phases).items():
        found[name] = round(statistics.median(by_round), 2)
    gist = [p.rate for p in phases if p.target == "baseline" and p.kind == "search (a) GiST"]
    for service in _services(phases):
        own = [p.rate for p in phases if p.target == service and p.kind == "search"]
        if own and gist:
            key = f"{service} search / baseline (a) GiST search"
            found[key] = round(statistics.median(own) / statistics.median(gist), 2)
    return found


def round_ratios(phases: Sequence[Phase]) -> dict[str, list[float]]:
    """Each service's requests/s over the baseline's in the same round, per kind.

    A round where the baseline answered nothing has no ratio (on Citus its one-node
    booking, which the service does not send there, can stall).
    """
    rates = {(p.target, p.kind, p.round): p.rate for p in phases}
    found: dict[str, list[float]] = {}
    for service in _services(phases):
        for kind in KINDS:
            by_round = [
                round(rates[service, kind, r] / rates["baseline", kind, r], 2)
                for (target, phase_kind, r) in rates
                if target == service and phase_kind == kind and rates.get(("baseline", kind, r))
            ]
            if by_round:
                found[f"{service} / baseline, {kind}"] = by_round
    return found


def _services(phases: Sequence[Phase]) -> list[str]:
    return sorted({p.target for p in phases if p.target.startswith("service")})


def _plain(_instance: object, _field: object, value: object) -> object:
    return str(value) if isinstance(value, Path) else value


COLUMNS = ("round", "target", "phase", "requests/s", "p50 ms", "p95 ms", "p99 ms", "statuses",
           "transport errors")  # fmt: skip


def _ms(us: float) -> str:
    return f"{us / 1000:,.1f}"


def print_phase(p: Phase) -> None:
    r = p.result
    latency = r["latency_us"]
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
    cpu = r.get("cpu_ms_per_request")
    spent = (
        "" if cpu is None else f"  CPU ms/request server {cpu['server']} database {cpu['database']}"
    )
    if (calls := r.get("syscalls_per_request")) is not None:
        spent += "  per request " + ", ".join(f"{name} {n}" for name, n in calls.items())
    print(
        f"{p.round} {p.target:<16} {p.kind:<16} {p.rate:>8,.1f} req/s"
        f"  p50 {_ms(latency['p50'])} p95 {_ms(latency['p95'])} p99 {_ms(latency['p99'])} ms"
        f"  statuses {{{statuses}}}  transport errors {p.transport_errors}{spent}"
        f"  load {r['load_average_after']}",
        flush=True,
    )


def print_report(report: dict[str, Any]) -> None:
    m = report["machine"]
    print(f"\n{report['date']}  {report['command']}")
    print(f"machine: {m['nproc']} cores, {m['cpu']}, {m['mem_total_kib']:,} kB; {report['server']}")
    before, after = report["load_average_before"], report["load_average_after"]
    print(f"load average before {before}, after {after}")
    print(f"data before: {report['data_before']}")
    print(f"\n| {' | '.join(COLUMNS)} |")
    print("|---" * len(COLUMNS) + "|")
    for p in report["phases"]:
        r, latency = p["result"], p["result"]["latency_us"]
        statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(r["statuses"].items()))
        errors = sum(r["errors"][k] for k in ("connect", "read", "write", "timeout"))
        print(
            f"| {p['round']} | {p['target']} | {p['kind']} | {p['requests_per_s']:,.1f} |"
            f" {_ms(latency['p50'])} | {_ms(latency['p95'])} | {_ms(latency['p99'])} |"
            f" {statuses} | {errors} |"
        )
    print()
    for name, cpu in report.get("cpu_ms_per_request", {}).items():
        parts = ", ".join(f"{part} {value:.3f}" for part, value in cpu.items())
        print(f"CPU ms per request (median), {name}: {parts}")
    for name, calls in report.get("syscalls_per_request", {}).items():
        parts = ", ".join(f"{part} {value:.2f}" for part, value in calls.items())
        print(f"workers' per request (median), {name}: {parts}")
    by_round = report["ratios_by_round"]
    for name, value in report["ratios"].items():
        rounds = by_round.get(name)
        each = f"  (rounds: {', '.join(f'{r:.2f}' for r in rounds)})" if rounds else ""
        print(f"{name}: {value:.2f}{each}")


def parse_args(argv: Sequence[str] | None = None) -> tuple[Options, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database filled by bench.generate")
    parser.add_argument("--seconds", type=int, default=30, help="per measured phase")
    parser.add_argument("--warm-up", type=int, default=5, help="seconds before each phase")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument(
        "--log-levels", nargs="+", default=["INFO"],
        help="one service per LOG_LEVEL (INFO: the default request log)",
    )  # fmt: skip
    parser.add_argument(
        "--checkouts", nargs="+", type=Path, default=[],
        help="also the service of these checkouts (e.g. a git worktree of an earlier commit)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn's, for all")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="per worker, for all")
    parser.add_argument("--no-gist", action="store_true", help="skip the design-(a) phase")
    parser.add_argument(
        "--syscalls", action="store_true",
        help="count the workers' system calls and context switches per request (perf stat)",
    )  # fmt: skip
    parser.add_argument(
        "--season", nargs=2, metavar=("FIRST_DAY", "START_DAYS"),
        help="searches start on one of START_DAYS days from FIRST_DAY (YYYY-MM-DD) on",
    )  # fmt: skip
    parser.add_argument(
        "--probe", action="store_true",
        help="also the baseline's search before issue 21 (one probe per property)",
    )  # fmt: skip
    parser.add_argument("--first-port", type=int, default=18000)
    parser.add_argument("--out-dir", type=Path, default=Path(".ota/bench"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    season = None if args.season is None else (args.season[0], int(args.season[1]))
    options = Options(
        url=args.url, seconds=args.seconds, warm_up=args.warm_up, connections=args.connections,
        wrk_threads=args.wrk_threads, rounds=args.rounds, kinds=tuple(args.kinds),
        log_levels=tuple(args.log_levels), checkouts=tuple(args.checkouts),
        workers=args.workers, threads=args.threads, gist=not args.no_gist, syscalls=args.syscalls,
        first_port=args.first_port, out_dir=args.out_dir, season=season, probe=args.probe,
    )  # fmt: skip
    return options, args.json


def main(argv: Sequence[str] | None = None) -> None:
    options, json_path = parse_args(argv)
    report = run(options)
    print_report(report)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
