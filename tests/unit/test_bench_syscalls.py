"""Counting a server's system calls with `perf stat`: what its CSV output says."""

from __future__ import annotations

from bench.syscalls import parse_counts, per_request

# `perf stat -x , -e ... -p ...` as perf 6.1 writes it: value, unit, event, run time, share.
PERF_CSV = """# started on Thu Nov 26 13:20:01 2026

486000,,raw_syscalls:sys_enter,10001593041,100.00,,
154000,,sched:sched_switch,10001593041,100.00,,
231400,,syscalls:sys_enter_futex,10001593041,100.00,,
<not counted>,,syscalls:sys_enter_getrandom,0,0.00,,
10000,,syscalls:sys_enter_write,10001593041,100.00,,
"""


def test_each_event_is_read_under_its_name_and_an_uncounted_one_is_left_out() -> None:
    assert parse_counts(PERF_CSV) == {
        "system calls": 486_000,
        "context switches": 154_000,
        "futex": 231_400,
        "write": 10_000,
    }


def test_counts_per_request_are_rounded_to_hundredths() -> None:
    assert per_request({"futex": 231_400, "write": 10_000}, 10_000) == {
        "futex": 23.14,
        "write": 1.0,
    }
