"""Real ``issy-mobility`` processes for the tests that need more than one: servers on a free
port, polled until ``/healthz`` answers (a deadline, never a sleep), and commands.

A plain module: fixtures live in ``conftest.py`` files.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.live_server import free_port, graphql_data

START_TIMEOUT_S = 60.0
"""Per worker process: N workers start side by side on 2 shared cores."""


def process_env(database_url: str, broadcast_url: str | None) -> dict[str, str]:
    """This environment, with the database and the message bus (or none) of the test."""
    env = {k: v for k, v in os.environ.items() if k not in {"ISSY_BROADCAST_URL", "REDIS_URL"}}
    env["DATABASE_URL"] = database_url
    if broadcast_url is not None:
        env["ISSY_BROADCAST_URL"] = broadcast_url
    return env


@dataclass(frozen=True)
class Server:
    """A running ``issy-mobility serve``."""

    url: str
    process: subprocess.Popen[bytes]

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        """The ``data`` of a query that must succeed."""
        return graphql_data(self.url, query, variables, key=key)

    def health(self) -> dict[str, Any]:
        health: dict[str, Any] = httpx.get(f"{self.url}/healthz", timeout=10).json()
        return health


@contextlib.contextmanager
def serve(
    *,
    database_url: str,
    streets: Path,
    broadcast_url: str | None,
    log: Path,
    workers: int = 1,
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """Start a server (``workers`` processes on one port); yield it once ``/healthz``
    answers; stop it (uvicorn's parent stops its workers)."""
    port = free_port()
    command = [sys.executable, "-m", "marketplace.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--streets", str(streets)],
            env={**process_env(database_url, broadcast_url), **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        _wait_healthy(server, log, START_TIMEOUT_S * workers)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(server: Server, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(
                f"the server exited ({server.process.returncode}):\n{log.read_text()}"
            )
        try:
            if server.health().get("status") == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)  # polling interval, not a wait for an event
    raise AssertionError(f"the server did not answer within {timeout_s} s:\n{log.read_text()}")


def run_command(
    *args: str, database_url: str, broadcast_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``issy-mobility ARGS`` as an operator would; fail with its output if it fails."""
    completed = subprocess.run(
        [sys.executable, "-m", "marketplace.cli", *args],
        env=process_env(database_url, broadcast_url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return completed
