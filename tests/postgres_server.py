"""A throwaway PostgreSQL server for tests and benchmarks: a cluster in a temp dir on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
"""Where Debian installs the PostgreSQL server binaries (the newest version last)."""


def _free_port() -> int:
    """Return a loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*args: str) -> list[str]:
    """Return a command line that runs args as the postgres user when we are root (PostgreSQL refuses root)."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


@contextmanager
def throwaway_postgres(*settings: str) -> Iterator[str]:
    """Start a PostgreSQL cluster with extra ``name=value`` settings; yield the URL of its postgres database."""
    bin_dir = PG_BIN_DIRS[-1]
    scratch = Path(tempfile.mkdtemp(prefix="bridge-pg-"))
    scratch.chmod(0o777)
    data = scratch / "data"
    if os.geteuid() == 0:
        shutil.chown(scratch, "postgres")
    port = _free_port()
    subprocess.run(_as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "bridge"),
                   check=True, capture_output=True)
    subprocess.run(
        _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(scratch / "log"),
                     "-o", " ".join([f"-p {port} -k {scratch} -c listen_addresses=127.0.0.1",
                                    *(f"-c {setting}" for setting in settings)]),
                     "start"),
        check=True, capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://bridge@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
                       capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
