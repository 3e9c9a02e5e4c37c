"""What a server's processes hold, read from Linux's /proc: worker processes, TCP connections."""

from __future__ import annotations

import os
from pathlib import Path

_TCP_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
_ESTABLISHED = "01"
_LISTEN = "0A"
READABLE = _TCP_TABLES[0].exists()


def children(pid: int) -> list[int]:
    """The pids of the processes `pid` started that still run."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _sockets(port: int, state: str) -> set[int]:
    """The inodes of the TCP sockets on local `port` in `state` (0 for those no process holds)."""
    inodes = set()
    for table in _TCP_TABLES:
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == state and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(int(fields[9]))
    return inodes


def accepted_connections(port: int) -> set[int]:
    """The socket inodes of the established connections to local `port` that a process accepted.

    A connection still waiting in a listen backlog belongs to no process yet: its inode is 0.
    """
    return _sockets(port, _ESTABLISHED) - {0}


def listening_sockets(port: int) -> set[int]:
    """The inodes of the sockets listening on local `port` (one per worker with `reuse_port`)."""
    return _sockets(port, _LISTEN)


def sockets_held(pid: int, inodes: set[int]) -> int:
    """How many of the sockets `inodes` process `pid` has open."""
    held = 0
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(descriptor)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:[") and int(target[len("socket:[") : -1]) in inodes:
            held += 1
    return held


def polls(pid: int, inodes: set[int]) -> bool:
    """True when an epoll instance of process `pid` watches one of the sockets `inodes`."""
    wanted = {f" ino:{inode:x} " for inode in inodes}
    for info in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            lines = info.read_text().splitlines()
        except OSError:  # closed meanwhile
            continue
        if any(line.startswith("tfd:") and w in f"{line} " for line in lines for w in wanted):
            return True
    return False
