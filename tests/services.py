"""Throw-away PostgreSQL and Redis servers for the tests, from Debian's packages.

When nothing answers at the test URLs (``ISSY_TEST_POSTGRES_URL``, ``ISSY_TEST_REDIS_URL``,
by default 127.0.0.1:5432 and :6379), ``tests/conftest.py`` starts one of each here: a
temporary data folder, a free port, trust authentication, a ``test`` database; stopped and
deleted when the session ends. So ``make test`` works on a fresh machine with only the
``postgresql`` and ``redis-server`` packages installed (``make services`` installs them).

A plain module: fixtures and hooks live in ``conftest.py`` files.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["Throwaway", "free_port", "reachable", "start_postgres", "start_redis"]

START_TIMEOUT_S = 60.0


def reachable(url: str, timeout_s: float = 1.0) -> bool:
    """Whether a server accepts TCP connections at ``url``'s host and port."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout_s):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Throwaway:
    """A server started for this session: its URL and how to stop it."""

    url: str
    folder: Path
    stop_command: list[str] | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def stop(self) -> None:
        """Stop the server and delete its data folder."""
        if self.stop_command is not None:
            subprocess.run(self.stop_command, capture_output=True, timeout=60, check=False)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise RuntimeError(
            f"PostgreSQL's {name} was not found: install Debian's postgresql package "
            "(`make services` does)"
        )
    return found[-1]


def _as_postgres_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: the Debian package's `postgres` user runs it then.
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def start_postgres() -> Throwaway:
    """A PostgreSQL server on a free port with a ``test`` database, trust authentication."""
    folder = Path(tempfile.mkdtemp(prefix="issy-test-postgres-"))
    data = folder / "data"
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    port = free_port()
    pg_ctl = _postgres_bin("pg_ctl")
    try:
        subprocess.run(
            _as_postgres_user(
                [_postgres_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
            ),
            capture_output=True,
            check=True,
            timeout=120,
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres_user(
                [pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]
            ),
            capture_output=True,
            check=True,
            timeout=START_TIMEOUT_S,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log = (folder / "log").read_text() if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        output = getattr(exc, "stderr", b"") or b""
        raise RuntimeError(f"the throw-away PostgreSQL did not start: {output!r} {log}") from exc
    server = Throwaway(
        url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/test",
        folder=folder,
        stop_command=_as_postgres_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
    )
    subprocess.run(
        [_postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "test"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return server


def start_redis() -> Throwaway:
    """A Redis server on a free port, keeping nothing on disk."""
    server_bin = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(server_bin).exists():
        raise RuntimeError(
            "redis-server was not found: install Debian's redis-server package "
            "(`make services` does)"
        )
    folder = Path(tempfile.mkdtemp(prefix="issy-test-redis-"))
    port = free_port()
    command = [
        server_bin,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
    ]
    with (folder / "log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = Throwaway(url=f"redis://127.0.0.1:{port}", folder=folder, process=process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not reachable(server.url):
        if process.poll() is not None or time.monotonic() > deadline:
            log_text = (folder / "log").read_text()
            server.stop()
            raise RuntimeError(f"the throw-away Redis did not start: {log_text}")
        time.sleep(0.05)
    return server
