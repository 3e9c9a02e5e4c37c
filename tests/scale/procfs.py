"""What a server's processes hold, read from Linux's /proc: worker processes, TCP connections."""

from __future__ import annotations

import os
from pathlib import Path

_TCP_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
_ESTABLISHED = "01"
READABLE = _TCP_TABLES[0].exists()


def children(pid: int) -> list[int]:
    """The pids of the processes `pid` started that still run."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def accepted_connections(port: int) -> set[int]:
    """The socket inodes of the established connections to local `port` that a process accepted.

    A connection still waiting in a listen backlog belongs to no process yet: its inode is 0.
    """
    inodes = set()
    for table in _TCP_TABLES:
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], int(fields[9])
            if state == _ESTABLISHED and inode and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


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
