"""Start the tests' local Citus cluster for benchmarks, print a database URL, keep it up.

    python -m bench.citus_cluster --database scale &   # prints the coordinator's URL
    python -m bench.citus_scale --url <that URL> --properties 100000 --reservations 1000000
    python -m bench.load --url <that URL> --kinds reserve get --no-gist

A coordinator and two workers on loopback (`tests/citus/cluster.py`, Citus built once
from the vendored source), each with `shared_buffers` 32 MB; the database is created
on every node with Citus enabled, not migrated (`bench.citus_scale` migrates it).
The cluster stops when this process is interrupted or terminated.
"""

from __future__ import annotations

import argparse
import signal
import threading

from tests.citus.cluster import citus_cluster, create_database_on_every_node


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="scale")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for stopping in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stopping, lambda *_: stop.set())
    with citus_cluster() as cluster:
        print(create_database_on_every_node(cluster, args.database), flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
