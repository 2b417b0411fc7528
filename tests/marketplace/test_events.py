"""Change notifications: observers, the planner's read side, subscriptions, Redis relay."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from marketplace.catalogue.published import (
    published_availability,
    published_service,
    published_services,
)
from marketplace.events import bus
from marketplace.events.catalogue import CatalogueEvent, ChangeKind, decode_event, encode_event
from marketplace.events.live import CHANNEL, LiveUpdates
from marketplace.models import ServiceKind, ServiceStatus
from tests.marketplace.helpers import (
    PUBLISH,
    REDIS_URL,
    Api,
    Partners,
    create_service,
    wait_for_listener,
    wait_for_redis_subscribers,
)
from tests.marketplace.helpers import (
    published_service as publish_via_api,
)

UPSERT = """mutation($id: ID!) { upsertStations(serviceId: $id, stations: [
  {externalId: "a", name: "Mairie", lat: 48.8245, lon: 2.2735, capacity: 12},
  {externalId: "b", name: "Corentin Celton", lat: 48.8270, lon: 2.2790}]) { created } }"""
AVAILABILITY = """mutation($id: ID!) { updateAvailability(serviceId: $id, availability: [
  {stationExternalId: "a", vehiclesAvailable: 4, docksAvailable: 8}]) { updated } }"""
PRICING = """mutation($id: ID!) { setPricingPlan(serviceId: $id, plan: {
  externalId: "std", name: "Standard", currency: "EUR", unlockFeeMinor: 100, perMinuteMinor: 5})
  { currency } }"""


@pytest.fixture
def received() -> Iterator[list[CatalogueEvent]]:
    got: list[CatalogueEvent] = []
    unsubscribe = bus.subscribe(CatalogueEvent, got.append)
    yield got
    unsubscribe()


def _db_id(global_id: str) -> int:
    import base64

    return int(base64.urlsafe_b64decode(global_id).decode().split(":")[1])


def test_mutations_notify_observers_after_commit(
    api: Api, partners: Partners, received: list[CatalogueEvent]
) -> None:
    service = create_service(api, partners.a)
    api.ok(PUBLISH, {"id": service["id"]}, key=partners.a)
    api.ok(UPSERT, {"id": service["id"]}, key=partners.a)
    api.ok(AVAILABILITY, {"id": service["id"]}, key=partners.a)
    api.ok(PRICING, {"id": service["id"]}, key=partners.a)
    assert [(e.kind, e.status, e.published) for e in received] == [
        (ChangeKind.SERVICE, ServiceStatus.DRAFT, False),
        (ChangeKind.SERVICE, ServiceStatus.PUBLISHED, True),
        (ChangeKind.STATIONS, ServiceStatus.PUBLISHED, True),
        (ChangeKind.AVAILABILITY, ServiceStatus.PUBLISHED, True),
        (ChangeKind.OFFER, ServiceStatus.PUBLISHED, True),
    ]
    assert {e.service_id for e in received} == {_db_id(service["id"])}
    assert len(received[2].station_ids) == 2
    assert len(received[3].station_ids) == 1
    assert received[1].version == 2


def test_failed_mutations_notify_nobody(
    api: Api, partners: Partners, received: list[CatalogueEvent]
) -> None:
    service = publish_via_api(api, partners.a)
    received.clear()
    api.error(PUBLISH, {"id": service["id"]}, key=partners.a)
    api.error(UPSERT, {"id": service["id"]}, key=partners.b)
    assert received == []


def test_a_failing_observer_does_not_break_the_mutation(
    api: Api, partners: Partners, received: list[CatalogueEvent]
) -> None:
    def broken(event: CatalogueEvent) -> None:
        raise RuntimeError("observer bug")

    unsubscribe = bus.subscribe(CatalogueEvent, broken)
    try:
        create_service(api, partners.a)
    finally:
        unsubscribe()
    assert len(received) == 1


def test_published_catalogue_for_the_planner(api: Api, partners: Partners) -> None:
    service = publish_via_api(api, partners.a, co2GPerKm=0.0)
    create_service(api, partners.b, name="Draft of B")
    api.ok(UPSERT, {"id": service["id"]}, key=partners.a)
    api.ok(AVAILABILITY, {"id": service["id"]}, key=partners.a)
    api.ok(PRICING, {"id": service["id"]}, key=partners.a)

    views = api.db.call(published_services)
    assert [v.name for v in views] == ["Issy Vélo"]
    view = views[0]
    assert view.kind is ServiceKind.BIKE_SHARE
    assert view.service_area_geojson is not None
    assert [s.external_id for s in view.stations] == ["a", "b"]
    assert view.stations[0].availability is not None
    assert view.stations[0].availability.vehicles_available == 4
    assert view.stations[1].availability is None
    assert view.pricing_plans[0].per_minute_minor == 5
    assert api.db.call(published_services, kinds=[ServiceKind.PARKING]) == []
    assert api.db.call(published_service, view.id) == view
    availability = api.db.call(published_availability, station_ids=[s.id for s in view.stations])
    assert list(availability) == [view.stations[0].id]

    api.ok(
        "mutation($id: ID!) { suspendService(id: $id) { id } }",
        {"id": service["id"]},
        key=partners.city,
    )
    assert api.db.call(published_service, view.id) is None
    assert api.db.call(published_availability, station_ids=[view.stations[0].id]) == {}


def test_event_wire_format_round_trips() -> None:
    event = CatalogueEvent(
        kind=ChangeKind.AVAILABILITY,
        service_id=3,
        partner_id=1,
        status=ServiceStatus.PUBLISHED,
        version=4,
        station_ids=(7, 8),
    )
    decoded = decode_event(encode_event(event, "proc-1"))
    assert decoded == dataclasses.replace(event, origin="proc-1")


def _subscribe(api: Api, ws: Any, query: str, key: str | None = None) -> None:
    ws.send_json(
        {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"} if key else {}}
    )
    assert ws.receive_json()["type"] == "connection_ack"
    ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
    wait_for_listener(api, CHANNEL)  # events published before that are not for this socket


def test_service_changed_subscription(api: Api, partners: Partners) -> None:
    query = "subscription { serviceChanged { change status version service { name } } }"
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _subscribe(api, ws, query)
        service = create_service(api, partners.a)  # a draft: anonymous does not hear of it
        api.ok(PUBLISH, {"id": service["id"]}, key=partners.a)
        message = ws.receive_json()
        assert message["type"] == "next", message
        assert message["payload"]["data"]["serviceChanged"] == {
            "change": "SERVICE",
            "status": "PUBLISHED",
            "version": 2,
            "service": {"name": "Issy Vélo"},
        }
        ws.send_json({"id": "1", "type": "complete"})


def test_owner_hears_of_its_drafts(api: Api, partners: Partners) -> None:
    query = "subscription { serviceChanged { status service { name } } }"
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _subscribe(api, ws, query, key=partners.a)
        create_service(api, partners.b, name="Not mine")
        create_service(api, partners.a, name="Mine")
        message = ws.receive_json()
        assert message["payload"]["data"]["serviceChanged"] == {
            "status": "DRAFT",
            "service": {"name": "Mine"},
        }


def test_availability_changed_subscription(api: Api, partners: Partners) -> None:
    service = publish_via_api(api, partners.a)
    api.ok(UPSERT, {"id": service["id"]}, key=partners.a)
    query = "subscription($id: ID) { availabilityChanged(serviceId: $id) { serviceId stationIds } }"
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": query, "variables": {"id": service["id"]}},
            }
        )
        wait_for_listener(api, CHANNEL)
        api.ok(AVAILABILITY, {"id": service["id"]}, key=partners.a)
        message = ws.receive_json()
        data = message["payload"]["data"]["availabilityChanged"]
        assert data["serviceId"] == service["id"]
        assert len(data["stationIds"]) == 1


@pytest.mark.redis
async def test_events_reach_other_processes_through_redis() -> None:
    sender, receiver = LiveUpdates(REDIS_URL), LiveUpdates(REDIS_URL)
    await sender.start()
    await receiver.start()
    got: list[CatalogueEvent] = []
    unsubscribe = bus.subscribe(CatalogueEvent, got.append)
    try:
        await wait_for_redis_subscribers(CHANNEL, 2)  # both relays subscribed
        event = CatalogueEvent(
            kind=ChangeKind.SERVICE,
            service_id=1,
            partner_id=1,
            status=ServiceStatus.PUBLISHED,
            version=2,
        )
        bus.publish(event)
        for _ in range(50):
            if any(e.origin == sender.origin for e in got):
                break
            await asyncio.sleep(0.1)
        relayed = [e for e in got if e.origin == sender.origin]
        assert relayed, "the event did not come back through Redis"
        assert relayed[0].service_id == 1
    finally:
        unsubscribe()
        await sender.stop()
        await receiver.stop()
