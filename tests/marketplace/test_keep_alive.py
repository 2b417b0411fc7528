"""A kept-alive connection is closed after ``keep_alive_max_requests`` requests, so long-lived
clients spread over ``serve --workers N`` (marketplace.http.keep_alive).

Through the real app served by uvicorn on a real socket: the count is per connection (its
client address), the closing answer is whole, and the connection is then really closed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.db import Database
from marketplace.settings import Settings
from tests.live_server import free_port

LIMIT = 3


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The whole app, on SQLite, served by uvicorn in a thread on a free port."""
    database_url = f"sqlite:///{tmp_path / 'keep_alive.sqlite3'}"
    Database(database_url).migrate()  # servers refuse an unmigrated database
    settings = Settings(database_url=database_url, keep_alive_max_requests=LIMIT)
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=free_port(), log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)  # polling interval while uvicorn starts
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    thread.join(timeout=30)


def _get(sock: socket.socket) -> bytes:
    """One ``GET /healthz`` on ``sock``; the whole answer (headers and body)."""
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def test_the_limit_th_answer_closes_the_connection(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        heads = [_get(sock) for _ in range(LIMIT)]
        assert all(h.startswith(b"HTTP/1.1 200") for h in heads)
        assert [b"connection: close" in h.lower() for h in heads] == [False] * (LIMIT - 1) + [True]
        assert sock.recv(1) == b"", "the server closes the connection after its last answer"


def test_each_connection_counts_its_own_requests(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    with (
        socket.create_connection((host, int(port)), timeout=30) as first,
        socket.create_connection((host, int(port)), timeout=30) as second,
    ):
        _get(first)
        _get(first)
        # The second connection's first answers keep it open though the first is near its end.
        assert b"connection: close" not in _get(second).lower()
        assert b"connection: close" in _get(first).lower()
        assert b"connection: close" not in _get(second).lower()


def test_a_client_reconnects_by_itself_and_loses_nothing(served: str) -> None:
    with httpx.Client(base_url=served, timeout=30) as client:
        answers = [client.get("/healthz") for _ in range(3 * LIMIT + 1)]
    assert [a.status_code for a in answers] == [200] * (3 * LIMIT + 1)
    closing = [a.headers.get("connection") == "close" for a in answers]
    assert closing == ([False] * (LIMIT - 1) + [True]) * 3 + [False]


@pytest.mark.parametrize(("limit", "closing"), [(0, False), (1, True)])
def test_zero_means_no_limit(tmp_path: Path, limit: int, closing: bool) -> None:
    database_url = f"sqlite:///{tmp_path / 'limit.sqlite3'}"
    Database(database_url).migrate()
    app = create_app(Settings(database_url=database_url, keep_alive_max_requests=limit))
    with TestClient(app) as client:
        answers = [client.get("/healthz") for _ in range(5)]
    assert [a.headers.get("connection") == "close" for a in answers] == [closing] * 5
    read = Settings.from_environ(environ={"ISSY_KEEP_ALIVE_MAX_REQUESTS": str(limit)})
    assert read.keep_alive_max_requests == limit
    assert Settings.from_environ(environ={}).keep_alive_max_requests == 100
