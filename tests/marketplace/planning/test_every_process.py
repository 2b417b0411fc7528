"""Every change reaches every plan, from any process: real servers, real HTTP, a real command.

Two ``issy-mobility serve`` processes share one PostgreSQL schema, with Redis between them and
without: a partner's change through the first is in the very next plan and place search of
the second (no waiting; without Redis no message ever arrives, the catalogue version alone
carries it). An ``issy-mobility import gbfs --publish`` run while a server runs is in that
server's next plan.
The street network is the real west-Issy extract, built once into an artefact both use.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from sqlmodel import Session

from marketplace.api.relay import decode_global_id
from marketplace.db import Database
from marketplace.events.live import CHANNEL
from marketplace.identity.partners import create_api_key, create_partner
from marketplace.models import PartnerKind
from marketplace.streets import load_streets
from tests.marketplace.helpers import (
    CREATE,
    POSTGRES_URL,
    PUBLISH,
    REDIS_URL,
    postgres_schema_url,
)
from tests.marketplace.servers import Server, run_command, serve
from tests.marketplace.trips import DESTINATION, MEUDON, MONDAY_MORNING, ORIGIN, PLAN

# Two stations at the trip's two ends (see tests.marketplace.trips).
GUILMANT = {"name": "Station Guilmant", "lat": 48.8152, "lon": 2.2423}
STALINGRAD = {"name": "Station Stalingrad", "lat": 48.8238, "lon": 2.2517}
STATIONS = """mutation($id: ID!) { upsertStations(serviceId: $id, stations: [
  {externalId: "a", name: "Station Guilmant", lat: 48.8152, lon: 2.2423, capacity: 20},
  {externalId: "b", name: "Station Stalingrad", lat: 48.8238, lon: 2.2517, capacity: 20}
  ]) { created } }"""
AVAILABILITY = """mutation($id: ID!, $bikes: Int!, $at: DateTime!) {
  updateAvailability(serviceId: $id, availability: [
    {stationExternalId: "a", vehiclesAvailable: $bikes, docksAvailable: 10, reportedAt: $at},
    {stationExternalId: "b", vehiclesAvailable: 0, docksAvailable: 12, reportedAt: $at}
  ]) { updated } }"""


@pytest.fixture(scope="module")
def artefact(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The extract compiled once; servers load it in well under a second."""
    cache = tmp_path_factory.mktemp("streets")
    assert load_streets(shared_data / MEUDON, cache_dir=cache).network is not None
    (folder,) = cache.glob("*.streets")
    return folder


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A schema of its own, migrated before any server starts (they never race to)."""
    schema = f"mkt_proc_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    yield migrated(postgres_schema_url(schema))
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


def migrated(database_url: str) -> str:
    """``database_url``, migrated here (in this process: each process start costs seconds)."""
    database = Database(database_url)
    try:
        database.migrate()
    finally:
        database.dispose()
    return database_url


def partner(database_url: str) -> tuple[str, str]:
    """A partner's database id and API key."""

    def make(session: Session) -> tuple[str, str]:
        created = create_partner(session, name="Vélos", kind=PartnerKind.OPERATOR)
        assert created.id is not None
        return str(created.id), create_api_key(session, partner_id=created.id).token

    database = Database(database_url)
    try:
        return database.call(make)
    finally:
        database.dispose()


def bike_share_rides(server: Server) -> list[dict[str, Any]]:
    variables = {
        "origin": ORIGIN,
        "destination": DESTINATION,
        "when": {"earliestDeparture": MONDAY_MORNING},
    }
    result = server.graphql(PLAN, variables)["plan"]
    return [
        leg
        for edge in result["edges"]
        for leg in edge["node"]["legs"]
        if leg["mode"] == "BIKE_SHARE"
    ]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "broadcast_url",
    [
        pytest.param(None, id="without-redis"),
        pytest.param(REDIS_URL, id="with-redis", marks=pytest.mark.redis),
    ],
)
def test_a_change_through_one_server_is_in_the_next_plan_of_another(
    postgres_url: str, artefact: Path, broadcast_url: str | None, tmp_path: Path
) -> None:
    _, key = partner(postgres_url)
    now = dt.datetime.now(dt.UTC).isoformat()
    with (
        serve(
            database_url=postgres_url,
            streets=artefact,
            broadcast_url=broadcast_url,
            log=tmp_path / "first.log",
        ) as first,
        serve(
            database_url=postgres_url,
            streets=artefact,
            broadcast_url=broadcast_url,
            log=tmp_path / "second.log",
        ) as second,
    ):
        input_ = {"kind": "BIKE_SHARE", "name": "Vélos Bas-Meudon"}
        service = first.graphql(CREATE, {"input": input_}, key=key)["createService"]
        first.graphql(STATIONS, {"id": service["id"]}, key=key)
        first.graphql(AVAILABILITY, {"id": service["id"], "bikes": 5, "at": now}, key=key)
        assert bike_share_rides(second) == []  # a draft; the second server caches this

        first.graphql(PUBLISH, {"id": service["id"]}, key=key)
        (ride,) = bike_share_rides(second)
        assert ride["service"]["name"] == "Vélos Bas-Meudon"
        assert ride["from"]["name"] == GUILMANT["name"]
        assert ride["from"]["vehiclesAvailable"] == 5
        found = second.graphql('{ placeSearch(text: "guilmant") { label } }')["placeSearch"]
        assert any("Guilmant" in place["label"] for place in found)

        first.graphql(AVAILABILITY, {"id": service["id"], "bikes": 0, "at": now}, key=key)
        assert bike_share_rides(second) == []  # the emptied station, at once
        assert first.health()["catalogue_version"] == second.health()["catalogue_version"]


def write_gbfs(folder: Path) -> Path:
    """A two-station GBFS 2.3 feed (information and status) reported now."""
    folder.mkdir()
    now = int(time.time())
    stations = [("a", GUILMANT, 7), ("b", STALINGRAD, 0)]
    information = [
        {"station_id": sid, "name": s["name"], "lat": s["lat"], "lon": s["lon"], "capacity": 20}
        for sid, s, _ in stations
    ]
    status = [
        {
            "station_id": sid,
            "num_bikes_available": bikes,
            "num_docks_available": 20 - bikes,
            "is_installed": True,
            "is_renting": True,
            "is_returning": True,
            "last_reported": now,
        }
        for sid, _, bikes in stations
    ]
    for feed, rows in (("station_information", information), ("station_status", status)):
        document = {"last_updated": now, "ttl": 60, "version": "2.3", "data": {"stations": rows}}
        (folder / f"{feed}.json").write_text(json.dumps(document))
    return folder


@pytest.mark.parametrize(
    ("backend", "broadcast_url"),
    [
        pytest.param("sqlite", None, id="sqlite-without-redis"),
        pytest.param(
            "postgres",
            REDIS_URL,
            id="postgres-with-redis",
            marks=[pytest.mark.postgres, pytest.mark.redis],
        ),
    ],
)
def test_a_command_line_import_is_in_the_running_servers_next_plan(
    backend: str,
    broadcast_url: str | None,
    artefact: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    if backend == "sqlite":
        database_url = migrated(f"sqlite:///{tmp_path / 'marketplace.sqlite3'}")
    else:
        database_url = request.getfixturevalue("postgres_url")
    partner_id, _ = partner(database_url)
    feeds = write_gbfs(tmp_path / "gbfs")
    relayed = redis.Redis.from_url(REDIS_URL).pubsub() if broadcast_url else None
    if relayed is not None:
        relayed.subscribe(CHANNEL)
    with serve(
        database_url=database_url,
        streets=artefact,
        broadcast_url=broadcast_url,
        log=tmp_path / "server.log",
    ) as server:
        assert bike_share_rides(server) == []
        before = server.health()["catalogue_version"]

        command = ("import", "gbfs", str(feeds), "--partner", partner_id, "--publish")
        out = run_command(
            *command,
            "--name",
            "Vélos en ligne",
            database_url=database_url,
            broadcast_url=broadcast_url,
        ).stdout
        assert "station_status: 2 created, 0 updated" in out

        (ride,) = bike_share_rides(server)  # the very next plan, no waiting
        assert ride["service"]["name"] == "Vélos en ligne"
        assert ride["from"]["name"] == GUILMANT["name"]
        assert ride["from"]["vehiclesAvailable"] == 7
        assert ride["from"]["isRealtime"] is True  # the feed was just written: fresh counts
        assert server.health()["catalogue_version"] == before + 1  # one transaction, one bump
    if relayed is not None:
        global_id = next(
            line.split()[-1] for line in out.splitlines() if line.startswith("service")
        )
        _, service_id = decode_global_id(global_id, expected="MobilityService")
        assert _relayed_service_ids(relayed) == {service_id}
        relayed.close()


def _relayed_service_ids(pubsub: Any, timeout_s: float = 10.0) -> set[int]:
    """The service ids of the catalogue events that reached Redis, polled until a deadline."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not seen:
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if message is not None:
            seen.add(json.loads(message["data"])["service_id"])
    return seen
