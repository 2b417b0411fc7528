"""``issy-mobility serve --workers 2``: two real worker processes behind one port.

Each ``httpx.Client`` below holds one keep-alive connection, which one worker accepted: a
client's ``/healthz`` names its worker (pid), checked before and after each call. A partner's
change through the first worker is in the very next plan answered by the second: the
catalogue version keeps each worker's caches coherent, with no message bus at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from marketplace.db import Database
from marketplace.identity.partners import create_api_key, create_partner
from marketplace.models import PartnerKind
from marketplace.streets import load_streets
from tests.marketplace.helpers import CREATE, POSTGRES_URL, PUBLISH, postgres_schema_url
from tests.marketplace.servers import serve
from tests.marketplace.trips import DESTINATION, MEUDON, MONDAY_MORNING, ORIGIN, PLAN

STATIONS = """mutation($id: ID!) { upsertStations(serviceId: $id, stations: [
  {externalId: "a", name: "Station Guilmant", lat: 48.8152, lon: 2.2423, capacity: 20},
  {externalId: "b", name: "Station Stalingrad", lat: 48.8238, lon: 2.2517, capacity: 20}
  ]) { created } }"""
AVAILABILITY = """mutation($id: ID!, $bikes: Int!, $at: DateTime!) {
  updateAvailability(serviceId: $id, availability: [
    {stationExternalId: "a", vehiclesAvailable: $bikes, docksAvailable: 10, reportedAt: $at},
    {stationExternalId: "b", vehiclesAvailable: 0, docksAvailable: 12, reportedAt: $at}
  ]) { updated } }"""
MAX_CONNECTIONS_TRIED = 40


@pytest.fixture(scope="module")
def artefact(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("streets")
    assert load_streets(shared_data / MEUDON, cache_dir=cache).network is not None
    (folder,) = cache.glob("*.streets")
    return folder


@pytest.fixture
def migrated_postgres_url() -> Iterator[str]:
    """A schema of its own, migrated once as ``issy-mobility migrate`` does (servers never
    migrate: they refuse a stale schema)."""
    schema = f"mkt_workers_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = postgres_schema_url(schema)
    database = Database(url)
    try:
        database.migrate()
    finally:
        database.dispose()
    yield url
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


class WorkerClient:
    """One keep-alive connection to the server, so one worker answers all its calls."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60, limits=httpx.Limits(max_connections=1))
        self.pid = self._pid()

    def _pid(self) -> int:
        health = self.http.get("/healthz").json()
        assert health["status"] == "ok", health
        return int(health["worker"]["pid"])

    def graphql(self, query: str, variables: dict[str, Any], key: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        body = self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        ).json()
        assert not body.get("errors"), body["errors"]
        assert self._pid() == self.pid, "the connection moved to another worker"
        return body["data"]

    def close(self) -> None:
        self.http.close()


def clients_of_two_workers(url: str) -> tuple[WorkerClient, WorkerClient]:
    """Open connections until two of them reach different workers."""
    first = WorkerClient(url)
    for _ in range(MAX_CONNECTIONS_TRIED):
        other = WorkerClient(url)
        if other.pid != first.pid:
            return first, other
        other.close()
    raise AssertionError(f"{MAX_CONNECTIONS_TRIED} connections all reached worker {first.pid}")


def bike_share_rides(client: WorkerClient) -> list[dict[str, Any]]:
    variables = {
        "origin": ORIGIN,
        "destination": DESTINATION,
        "when": {"earliestDeparture": MONDAY_MORNING},
    }
    result = client.graphql(PLAN, variables)["plan"]
    return [
        leg
        for edge in result["edges"]
        for leg in edge["node"]["legs"]
        if leg["mode"] == "BIKE_SHARE"
    ]


def partner_key(database_url: str) -> str:
    database = Database(database_url)
    try:

        def make(session: Any) -> str:
            created = create_partner(session, name="Vélos", kind=PartnerKind.OPERATOR)
            assert created.id is not None
            return create_api_key(session, partner_id=created.id).token

        return database.call(make)
    finally:
        database.dispose()


@pytest.mark.postgres
def test_a_change_through_one_worker_is_in_the_next_plan_of_the_other(
    migrated_postgres_url: str, artefact: Path, tmp_path: Path
) -> None:
    with serve(
        database_url=migrated_postgres_url,
        streets=artefact,
        broadcast_url=None,
        log=tmp_path / "server.log",
        workers=2,
    ) as server:
        key = partner_key(migrated_postgres_url)
        first, second = clients_of_two_workers(server.url)
        assert server.process.pid not in {first.pid, second.pid}  # workers, not the parent
        now = dt.datetime.now(dt.UTC).isoformat()
        service = first.graphql(CREATE, {"input": {"kind": "BIKE_SHARE", "name": "Vélos W"}}, key)
        service_id = service["createService"]["id"]
        first.graphql(STATIONS, {"id": service_id}, key)
        first.graphql(AVAILABILITY, {"id": service_id, "bikes": 5, "at": now}, key)
        assert bike_share_rides(second) == []  # a draft; the second worker caches this

        first.graphql(PUBLISH, {"id": service_id}, key)
        (ride,) = bike_share_rides(second)
        assert ride["service"]["name"] == "Vélos W"
        assert ride["from"]["vehiclesAvailable"] == 5

        first.graphql(AVAILABILITY, {"id": service_id, "bikes": 0, "at": now}, key)
        assert bike_share_rides(second) == []  # the emptied station, at once
        versions = {c.http.get("/healthz").json()["catalogue_version"] for c in (first, second)}
        assert len(versions) == 1
        first.close()
        second.close()
