"""Helpers the marketplace tests import: the GraphQL test client, the partners' keys, a
service created or published through the API, the PostgreSQL test URL.

Fixtures live in ``conftest.py``; this is a plain module, so importing it never registers
fixtures twice.
"""

from __future__ import annotations

import asyncio
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

with warnings.catch_warnings():
    # Starlette 1.x nudges towards httpx2; the TestClient works the same on httpx.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import redis.asyncio as redis
from starlette.applications import Starlette
from starlette.datastructures import State

from marketplace.db import Database
from marketplace.events.live import LiveUpdates

POSTGRES_URL = os.environ.get(
    "ISSY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

# A small square in Issy (around the Mairie), lon/lat.
ISSY_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[2.262, 48.820], [2.278, 48.820], [2.278, 48.830], [2.262, 48.830], [2.262, 48.820]]
    ],
}


def postgres_schema_url(schema: str) -> str:
    """The test database URL with ``search_path`` set to ``schema``."""
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


def app_state(client: TestClient) -> State:
    """The state of the Starlette app ``client`` drives (its database, live updates...)."""
    return cast(Starlette, client.app).state


@dataclass
class Api:
    """A test client speaking GraphQL to the app."""

    client: TestClient

    @property
    def db(self) -> Database:
        database: Database = app_state(self.client).db
        return database

    language: str | None = "en"
    """The ``Accept-Language`` sent: English, the language these tests read messages in;
    ``None`` sends none (the server then answers in French)."""

    def post(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        if self.language is not None:
            headers["Accept-Language"] = self.language
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def ok(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        """The ``data`` of a query that must succeed."""
        body = self.post(query, variables, key=key)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def error(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        """The first error of a query that must fail."""
        body = self.post(query, variables, key=key)
        assert body.get("errors"), body
        first: dict[str, Any] = body["errors"][0]
        return first


@dataclass(frozen=True)
class Partners:
    """Three partners and a key each: operators A and B, and the city."""

    a_id: int
    a: str
    b_id: int
    b: str
    city_id: int
    city: str


CREATE = """
mutation($input: CreateServiceInput!) {
  createService(input: $input) { id name status version kind }
}
"""
PUBLISH = "mutation($id: ID!) { publishService(id: $id) { id status version } }"


def create_service(api: Api, key: str, **fields: Any) -> dict[str, Any]:
    """Create a service through the API (a bike share in Issy unless told otherwise)."""
    payload = {"kind": "BIKE_SHARE", "name": "Issy Vélo", "serviceArea": ISSY_SQUARE, **fields}
    created: dict[str, Any] = api.ok(CREATE, {"input": payload}, key=key)["createService"]
    return created


def published_service(api: Api, key: str, **fields: Any) -> dict[str, Any]:
    """Create and publish a service; returns it as published."""
    service = create_service(api, key, **fields)
    published: dict[str, Any] = api.ok(PUBLISH, {"id": service["id"]}, key=key)["publishService"]
    return published


# tests/conftest.py points it at a throw-away Redis when none answers there.
REDIS_URL = os.environ.get("ISSY_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def wait_until(condition: Callable[[], bool], *, what: str, timeout_s: float = 5.0) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.01)


def wait_for_listener(api: Api, channel: str) -> None:
    """Wait until the server's subscription listens on ``channel`` (a GraphQL subscription
    hears only what is published after that)."""
    live: LiveUpdates = app_state(api.client).live
    wait_until(lambda: live.listening(channel) > 0, what=f"a subscription on {channel}")


async def wait_for_redis_subscribers(channel: str, count: int, timeout_s: float = 5.0) -> None:
    """Wait until Redis counts ``count`` subscribers of ``channel`` (``PUBSUB NUMSUB``)."""
    client = redis.from_url(REDIS_URL)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            [(_, subscribers)] = await client.pubsub_numsub(channel)
            if subscribers >= count:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"Redis has {subscribers} subscribers of {channel}")
            await asyncio.sleep(0.01)
    finally:
        await client.aclose()
