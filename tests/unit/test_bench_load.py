"""The load benchmark: ratios by round, CPU and system calls per request, the servers it starts."""

from __future__ import annotations

import pytest

from bench.load import (
    Options,
    Phase,
    _tree_seconds,
    check_connections,
    per_request_medians,
    ratios,
    round_ratios,
    targets,
)
from ota_web.settings import DEFAULT_THREADS, DEFAULT_WORKERS


def _phase(target: str, kind: str, round_: int, rate: float, **cpu: float | None) -> Phase:
    result: dict[str, object] = {"requests": rate * 10, "duration_us": 10e6}
    if cpu:
        result["cpu_ms_per_request"] = cpu
    return Phase(target, kind, round_, "2026-11-26T00:00:00+00:00", result)


def test_a_ratio_is_the_median_of_the_rounds_each_against_its_own_baseline() -> None:
    phases = [
        _phase("service", "search", 1, 80, server=1.0, database=2.0),
        _phase("baseline", "search", 1, 100, server=0.5, database=2.0),
        _phase("service", "search", 2, 30, server=1.2, database=2.2),  # a spoiled round
        _phase("baseline", "search", 2, 100, server=0.6, database=2.2),
        _phase("service", "search", 3, 90, server=1.1, database=2.1),
        _phase("baseline", "search", 3, 100, server=0.7, database=2.1),
    ]

    assert round_ratios(phases) == {"service / baseline, search": [0.8, 0.3, 0.9]}
    assert ratios(phases) == {"service / baseline, search": 0.8}
    assert per_request_medians(phases, "cpu_ms_per_request") == {
        "baseline, search": {"server": 0.6, "database": 2.1},
        "service, search": {"server": 1.1, "database": 2.1},
    }


def test_a_round_without_its_baseline_phase_is_left_out() -> None:
    phases = [
        _phase("service", "reserve", 1, 50),
        _phase("baseline", "reserve", 1, 100),
        _phase("service", "reserve", 2, 99),  # the run stopped before the baseline's turn
    ]

    assert round_ratios(phases) == {"service / baseline, reserve": [0.5]}


def test_the_database_cpu_is_left_out_when_it_was_not_read() -> None:
    phases = [_phase("service", "get", 1, 10, server=0.4, database=None)]

    assert per_request_medians(phases, "cpu_ms_per_request") == {"service, get": {"server": 0.4}}


def test_system_calls_per_request_are_the_median_of_the_rounds_per_kind_of_call() -> None:
    phases = []
    for round_, futex in enumerate((20.0, 24.0, 22.0), start=1):
        phase = _phase("service", "reserve", round_, 100)
        phase.result["syscalls_per_request"] = {"system calls": 40 + futex, "futex": futex}
        phases.append(phase)

    assert per_request_medians(phases, "syscalls_per_request") == {
        "service, reserve": {"system calls": 62.0, "futex": 22.0}
    }


def test_a_process_tree_adds_up_its_processes_and_no_other() -> None:
    processes = {  # pid: (parent, CPU seconds)
        10: (1, 1.0),  # gunicorn's master
        11: (10, 2.0),  # a worker
        12: (10, 3.0),  # a worker
        13: (11, 0.5),  # a worker's child
        20: (1, 7.0),  # someone else
    }

    assert _tree_seconds(10, processes) == 6.5
    assert _tree_seconds(20, processes) == 7.0
    assert _tree_seconds(99, processes) == 0.0


def test_every_server_runs_with_the_workers_and_threads_asked_for() -> None:
    options = Options(url="postgresql:///x", log_levels=("INFO", "WARNING"), workers=2, threads=6)

    servers = targets(options)

    assert [t.name for t in servers] == ["service", "service WARNING", "baseline"]
    for server in servers:
        assert (server.env["WEB_CONCURRENCY"], server.env["GUNICORN_THREADS"]) == ("2", "6")


def test_the_servers_default_to_the_services_own_gunicorn_settings() -> None:
    (service, baseline) = targets(Options(url="postgresql:///x"))

    for server in (service, baseline):
        assert server.env["WEB_CONCURRENCY"] == str(DEFAULT_WORKERS)
        assert server.env["GUNICORN_THREADS"] == str(DEFAULT_THREADS)


def test_the_database_must_have_connections_for_every_pool() -> None:
    options = Options(url="postgresql:///x", log_levels=("INFO", "WARNING"), workers=4)

    with pytest.raises(SystemExit, match="need up to 190"):
        check_connections(100, options)
    check_connections(190, options)
