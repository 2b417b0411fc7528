"""Polling registered feeds, one read at a time on a test clock, over a real loopback HTTP
server: exponential backoff and recovery, what a bad payload leaves, unknown ids reported,
GBFS followed from its gbfs.json and read again after its ttl, claims between pollers.

The GTFS timetable is a hand-made one-line feed (known answers, no real departures); the
GBFS documents are the real Vélib' snapshot of the shared data (first 30 stations).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from marketplace.ingest.live_feeds import MAX_BACKOFF_S, claim_due_feeds, poll_feed
from marketplace.models import LiveFeed, Station
from marketplace.settings import Settings
from tests.marketplace.feed_server import (
    LOCAL_FEEDS,
    FeedServer,
    feed_message,
    feed_server,
    fetch_local,
)
from tests.marketplace.helpers import Api, Partners, published_service

REGISTER = """mutation($id: ID!, $kind: LiveFeedKind!, $url: String!, $interval: Int) {
  registerLiveFeed(serviceId: $id, kind: $kind, url: $url, intervalS: $interval) { kind } }"""
IMPORT = """mutation($id: ID!, $files: JSON!) {
  importGtfs(serviceId: $id, files: $files) { skippedCount } }"""
LINE = {
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
    "a,Mairie,48.8245,2.2700\nb,Corentin Celton,48.8270,2.2790\n",
    "routes.txt": "route_id,route_short_name,route_long_name,route_type\nL,1,Ligne,3\n",
    "trips.txt": "route_id,service_id,trip_id\nL,all,t1\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "t1,08:00:00,08:00:00,a,1\nt1,08:10:00,08:10:00,b,2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
    "start_date,end_date\nall,1,1,1,1,1,1,1,20260101,20281231\n",
}
T0 = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The test polls by hand on its own clock: the server's poller thread stays off. Its feed
    # server listens on 127.0.0.1, which the platform refuses unless the deployment allows it.
    return Settings(database_url=database_url, poll_live_feeds=False, outbound=LOCAL_FEEDS)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


def _service_with_line(api: Api, key: str) -> str:
    service = published_service(api, key, kind="PUBLIC_TRANSPORT", name="Ligne", serviceArea=None)
    assert api.ok(IMPORT, {"id": service["id"], "files": LINE}, key=key)["importGtfs"] == {
        "skippedCount": 0
    }
    service_id: str = service["id"]
    return service_id


def _register(api: Api, key: str, service_id: str, kind: str, url: str, **kw: Any) -> LiveFeed:
    variables = {"id": service_id, "kind": kind, "url": url, "interval": kw.get("interval", 30)}
    api.ok(REGISTER, variables, key=key)

    def newest(session: Session) -> LiveFeed:
        feeds = session.exec(select(LiveFeed).order_by(LiveFeed.id.desc())).all()  # type: ignore[union-attr]
        return next(f for f in feeds if f.kind.value == kind)

    feed: LiveFeed = api.db.call(newest)
    return feed


def _feed(api: Api, feed_id: int) -> LiveFeed:
    def read(session: Session) -> LiveFeed | None:
        return session.get(LiveFeed, feed_id)

    feed = api.db.call(read)
    assert feed is not None
    return feed


def test_failures_back_off_exponentially_and_a_success_resets(
    api: Api, partners: Partners, server: FeedServer
) -> None:
    service_id = _service_with_line(api, partners.a)
    url = server.url("/rt.pb")
    server.bodies["/rt.pb"] = (503, b"busy")
    feed = _register(api, partners.a, service_id, "GTFS_RT_TRIP_UPDATES", url, interval=10)
    assert feed.id is not None
    now = T0
    for failures in (1, 2, 3):
        poll_feed(api.db, feed.id, fetch=fetch_local, now=lambda now=now: now)  # type: ignore[misc]
        state = _feed(api, feed.id)
        assert (state.failures, state.last_success_at) == (failures, None)
        assert state.next_poll_at - now == dt.timedelta(seconds=10 * 2**failures)
        assert state.last_error_id == "live_feed.fetch_failed"
        assert "503" in json.loads(state.last_error_params or "{}")["reason"]
        now = state.next_poll_at
    assert server.hits["/rt.pb"] == 3

    server.bodies["/rt.pb"] = (200, feed_message(int(now.timestamp())).SerializeToString())
    poll_feed(api.db, feed.id, fetch=fetch_local, now=lambda: now)
    state = _feed(api, feed.id)
    assert (state.failures, state.last_success_at, state.last_error_id) == (0, now, None)
    assert state.next_poll_at - now == dt.timedelta(seconds=10)
    assert MAX_BACKOFF_S == 3600  # the longest wait, however many failures


def test_a_payload_that_is_not_protobuf_keeps_the_last_good_one_and_unknown_ids_are_named(
    api: Api, partners: Partners, server: FeedServer
) -> None:
    service_id = _service_with_line(api, partners.a)
    message = feed_message(int(T0.timestamp()))
    for trip_id in ("t1", "ghost"):
        entity = message.entity.add()
        entity.id = trip_id
        entity.trip_update.trip.trip_id = trip_id
        entity.trip_update.stop_time_update.add().stop_sequence = 1
    server.bodies["/rt.pb"] = (200, message.SerializeToString())
    feed = _register(api, partners.a, service_id, "GTFS_RT_TRIP_UPDATES", server.url("/rt.pb"))
    assert feed.id is not None
    poll_feed(api.db, feed.id, fetch=fetch_local, now=lambda: T0)
    good = _feed(api, feed.id)
    assert good.payload == message.SerializeToString()
    assert [p["params"] for p in json.loads(good.problems or "[]")] == [{"trip_id": "ghost"}]

    server.bodies["/rt.pb"] = (200, b'{"not": "protobuf"}')
    later = T0 + dt.timedelta(minutes=1)
    poll_feed(api.db, feed.id, fetch=fetch_local, now=lambda: later)
    bad = _feed(api, feed.id)
    assert bad.last_error_id == "live_feed.not_protobuf" and bad.failures == 1
    assert (bad.payload, bad.payload_at, bad.last_success_at) == (good.payload, T0, T0)


def test_only_one_poller_claims_a_due_feed(
    api: Api, partners: Partners, server: FeedServer
) -> None:
    service_id = _service_with_line(api, partners.a)
    feed = _register(api, partners.a, service_id, "GTFS_RT_ALERTS", server.url("/alerts.pb"))
    now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    first = api.db.call(claim_due_feeds, now)
    second = api.db.call(claim_due_feeds, now)
    assert (first, second) == ([feed.id], [])


def test_gbfs_is_followed_from_its_discovery_file_and_read_again_after_its_ttl(
    api: Api, partners: Partners, server: FeedServer, shared_data: Path
) -> None:
    folder = shared_data / "bikeshare"
    for feed_name in ("station_information", "station_status"):
        document = json.loads((folder / f"velib_{feed_name}_2025-10-18.json").read_text())
        document["data"]["stations"] = document["data"]["stations"][:30]
        document["ttl"] = 120 if feed_name == "station_status" else 3600
        server.bodies[f"/{feed_name}.json"] = (200, json.dumps(document).encode())
    discovery = {
        "ttl": 0,
        "data": {
            "fr": {
                "feeds": [
                    {"name": name, "url": server.url(f"/{name}.json")}
                    for name in ("station_information", "station_status")
                ]
            }
        },
    }
    server.bodies["/gbfs.json"] = (200, json.dumps(discovery).encode())
    service = published_service(api, partners.a, name="Vélib' Métropole", serviceArea=None)
    feed = _register(api, partners.a, service["id"], "GBFS", server.url("/gbfs.json"))
    assert feed.id is not None
    poll_feed(api.db, feed.id, fetch=fetch_local, now=lambda: T0)
    state = _feed(api, feed.id)
    assert (state.last_success_at, state.last_error_id) == (T0, None)
    assert state.next_poll_at == T0 + dt.timedelta(seconds=120)  # the smallest ttl given
    stations = api.db.call(lambda s: len(s.exec(select(Station)).all()))
    assert stations == 30
