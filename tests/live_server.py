"""What the tests that talk to a server over real HTTP share: a free port and a GraphQL call.

A plain module (the browser tests' uvicorn thread and the marketplace's server processes both
use it); fixtures live in ``conftest.py`` files.
"""

from __future__ import annotations

import socket
from typing import Any

import httpx

__all__ = ["free_port", "graphql_data"]


def free_port() -> int:
    """A TCP port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def graphql_data(
    base_url: str, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
) -> dict[str, Any]:
    """The ``data`` of a GraphQL query to ``base_url`` that must succeed."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.post(
        f"{base_url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=60,
    )
    body = response.json()
    assert not body.get("errors"), body["errors"]
    data: dict[str, Any] = body["data"]
    return data
