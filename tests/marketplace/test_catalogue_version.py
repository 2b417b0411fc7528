"""The catalogue version: bumped by the unit of work in the same transaction as each change.

No storage function bumps it by hand, so these tests change the catalogue every way the code
does (GraphQL mutations, a bulk ``UPDATE``, an ORM change made with no event at all) and
check the version moved once per transaction, never for other tables nor for a rollback, and
that the planner's snapshot follows it even when no event was published.
"""

from __future__ import annotations

import concurrent.futures
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from marketplace.events.version import read_live_versions, read_timetable_revisions
from marketplace.identity.partners import create_partner
from marketplace.models import (
    MobilityService,
    PartnerKind,
    StationAvailability,
    TransitRoute,
    TransitStopTime,
    TransitTrip,
)
from marketplace.planning.catalogue import PlannerCatalogue
from tests.marketplace.helpers import PUBLISH, Api, Partners, create_service

UPSERT = """mutation($id: ID!) { upsertStations(serviceId: $id, stations: [
  {externalId: "a", name: "Mairie", lat: 48.8245, lon: 2.2735, capacity: 12}]) { created } }"""
AVAILABILITY = """mutation($id: ID!, $bikes: Int!) { updateAvailability(serviceId: $id,
  availability: [{stationExternalId: "a", vehiclesAvailable: $bikes, docksAvailable: 8}])
  { updated } }"""
PRICING = """mutation($id: ID!) { setPricingPlan(serviceId: $id, plan: {
  externalId: "std", name: "Standard", currency: "EUR", unlockFeeMinor: 100, perMinuteMinor: 5})
  { currency } }"""


def version(api: Api) -> int:
    return api.db.catalogue_version()


def test_each_catalogue_mutation_bumps_the_version_once(api: Api, partners: Partners) -> None:
    assert version(api) == 0
    service = create_service(api, partners.a)
    steps: list[tuple[str, dict[str, Any]]] = [
        (UPSERT, {}),
        (AVAILABILITY, {"bikes": 4}),
        (PRICING, {}),
        (PUBLISH, {}),
    ]
    assert version(api) == 1
    for number, (mutation, extra) in enumerate(steps, start=2):
        api.ok(mutation, {"id": service["id"], **extra}, key=partners.a)
        assert version(api) == number, mutation
    assert api.client.get("/healthz").json()["catalogue_version"] == len(steps) + 1


def test_other_tables_and_failures_leave_it_alone(api: Api, partners: Partners) -> None:
    service = create_service(api, partners.a)
    before = version(api)
    api.db.call(lambda s: create_partner(s, name="Gamma", kind=PartnerKind.STARTUP))
    # Another partner may not change the service: the transaction fails, nothing bumps.
    assert api.error(UPSERT, {"id": service["id"]}, key=partners.b)
    assert version(api) == before

    def change_then_fail(session: Session) -> None:
        row = session.exec(select(MobilityService)).one()
        row.name = "Renamed"
        session.flush()
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        api.db.call(change_then_fail)
    assert version(api) == before


def test_bulk_statements_bump_it(api: Api, partners: Partners) -> None:
    service = create_service(api, partners.a)
    api.ok(UPSERT, {"id": service["id"]}, key=partners.a)
    api.ok(AVAILABILITY, {"id": service["id"], "bikes": 4}, key=partners.a)
    before = version(api)

    def empty_every_station(session: Session) -> None:
        session.execute(sa.update(StationAvailability).values(vehicles_available=0))

    api.db.call(empty_every_station)
    assert version(api) == before + 1


def test_the_planner_follows_a_change_no_event_announced(api: Api, partners: Partners) -> None:
    """A change committed without any message (as if every message was lost) still reaches
    the next snapshot, because the version moved with it."""
    service = create_service(api, partners.a)
    api.ok(UPSERT, {"id": service["id"]}, key=partners.a)
    api.ok(PUBLISH, {"id": service["id"]}, key=partners.a)
    catalogue = api.client.app.state.planning.catalogue  # type: ignore[attr-defined]
    first, views = catalogue.snapshot()
    assert [v.name for v in views.values()] == [service["name"]]
    assert catalogue.snapshot()[0] is first  # unchanged: the cached snapshot

    # A plain session, committed by hand: no storage function, no event, no bus.
    with Session(api.db.engine) as session:
        session.exec(select(MobilityService)).one().name = "Renamed without a word"
        session.commit()

    second, views = catalogue.snapshot()
    assert second.version == first.version + 1
    assert [v.name for v in views.values()] == ["Renamed without a word"]


def test_threads_finding_a_stale_snapshot_share_one_rebuild(api: Api, partners: Partners) -> None:
    """After an availability batch every planning thread finds the snapshot stale: one reads
    the catalogue again, the others wait for it and take its snapshot, with the new counts."""
    service = create_service(api, partners.a)
    api.ok(UPSERT, {"id": service["id"]}, key=partners.a)
    api.ok(AVAILABILITY, {"id": service["id"], "bikes": 4}, key=partners.a)
    api.ok(PUBLISH, {"id": service["id"]}, key=partners.a)
    catalogue = api.client.app.state.planning.catalogue  # type: ignore[attr-defined]
    catalogue.snapshot()
    before = catalogue.rebuilds
    # A plain session, so that no event drops the snapshot: only the version says it moved.
    with Session(api.db.engine) as session:
        session.exec(select(StationAvailability)).one().vehicles_available = 7
        session.commit()
    start = threading.Barrier(8)

    def plan_thread() -> Any:
        start.wait()
        return catalogue.snapshot()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: plan_thread(), range(8)))
    assert catalogue.rebuilds == before + 1
    assert len({id(snapshot) for snapshot, _ in answers}) == 1
    (view,) = answers[0][1].values()
    (station,) = view.stations
    assert station.availability is not None
    assert station.availability.vehicles_available == 7
    assert station.availability.reported_at.tzinfo is not None


IMPORT_GTFS = """mutation($id: ID!, $files: JSON!) {
  importGtfs(serviceId: $id, files: $files) { skippedCount } }"""
FEED = {
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
    "a,Mairie,48.8245,2.2735\nb,Corentin Celton,48.8270,2.2790\n",
    "routes.txt": "route_id,route_short_name,route_long_name,route_type\nL,1,Ligne test,3\n",
    "trips.txt": "route_id,service_id,trip_id\nL,all,t0\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "t0,08:00:00,08:00:00,a,1\nt0,08:05:00,08:05:00,b,2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
    "start_date,end_date\nall,1,1,1,1,1,1,1,20260101,20281231\n",
}


def _revisions(api: Api) -> tuple[int, dict[int, int]]:
    with api.db.session() as session:
        return read_timetable_revisions(session)


def test_a_timetable_write_bumps_its_own_services_revision(api: Api, partners: Partners) -> None:
    """Issue 15: the planner re-reads only the services whose revision moved, so every way a
    timetable is written must bump the right one: an import (stop times name trips, not
    services: the import scopes its transaction), an ORM change, a bulk statement naming the
    service; a write naming no service moves the unattributed row (every service re-read)."""
    first = create_service(api, partners.a, kind="PUBLIC_TRANSPORT", serviceArea=None)
    second = create_service(api, partners.b, kind="PUBLIC_TRANSPORT", serviceArea=None)
    api.ok(IMPORT_GTFS, {"id": first["id"], "files": FEED}, key=partners.a)
    unattributed, revisions = _revisions(api)
    (own,) = revisions
    assert revisions == {own: 1}
    api.ok(IMPORT_GTFS, {"id": second["id"], "files": FEED}, key=partners.b)
    unattributed_now, revisions = _revisions(api)
    (other,) = revisions.keys() - {own}
    assert revisions == {own: 1, other: 1} and unattributed_now == unattributed
    timetables = api.db.timetable_version()

    def rename_trip(session: Session) -> None:
        trip = session.exec(select(TransitTrip).where(TransitTrip.service_id == other)).one()
        trip.headsign = "Renamed"

    api.db.call(rename_trip)
    assert _revisions(api) == (unattributed, {own: 1, other: 2})

    def shift_routes(session: Session) -> None:
        session.execute(
            sa.update(TransitRoute).where(col(TransitRoute.service_id) == own).values(route_type=0)
        )

    api.db.call(shift_routes)
    assert _revisions(api) == (unattributed, {own: 2, other: 2})

    def shift_every_stop_time(session: Session) -> None:
        session.execute(sa.update(TransitStopTime).values(arrival_s=TransitStopTime.arrival_s))

    api.db.call(shift_every_stop_time)
    assert _revisions(api) == (unattributed + 1, {own: 2, other: 2})
    assert api.db.timetable_version() == timetables + 3


TWO_STATIONS = """mutation($id: ID!) { upsertStations(serviceId: $id, stations: [
  {externalId: "a", name: "Mairie", lat: 48.8245, lon: 2.2735, capacity: 12},
  {externalId: "b", name: "Corentin Celton", lat: 48.8270, lon: 2.2790, capacity: 20}])
  { created } }"""


def _live_versions(api: Api) -> tuple[int, int]:
    with api.db.session() as session:
        return read_live_versions(session)


def test_an_availability_batch_leaves_the_static_version_alone(
    api: Api, partners: Partners
) -> None:
    """A batch moves the catalogue version and claims one live sequence number; every other
    change, and a write to availability rows outside a batch (no number stamped), moves the
    static version too, so the planner reads the catalogue in full."""
    service = create_service(api, partners.a)
    api.ok(UPSERT, {"id": service["id"]}, key=partners.a)
    static, sequence = _live_versions(api)
    assert static == 2 and sequence == 0
    before = version(api)
    api.ok(AVAILABILITY, {"id": service["id"], "bikes": 4}, key=partners.a)
    api.ok(AVAILABILITY, {"id": service["id"], "bikes": 5}, key=partners.a)
    assert version(api) == before + 2
    assert _live_versions(api) == (static, 2)
    with api.db.session() as session:
        assert session.exec(select(StationAvailability.live_sequence)).one() == 2
    # A refused batch claims nothing.
    assert api.error(AVAILABILITY, {"id": service["id"], "bikes": -1}, key=partners.a)
    assert _live_versions(api) == (static, 2)

    for mutation in (PRICING, PUBLISH):
        api.ok(mutation, {"id": service["id"]}, key=partners.a)
        static += 1
        assert _live_versions(api) == (static, 2), mutation

    def unstamped(session: Session) -> None:
        session.execute(sa.update(StationAvailability).values(vehicles_available=0))

    api.db.call(unstamped)
    assert _live_versions(api) == (static + 1, 2)


def test_the_planner_patches_a_batch_into_what_a_full_read_gives(
    api: Api, partners: Partners
) -> None:
    """After a batch the snapshot is the last one patched with the batch's rows alone: equal
    to a full read, the station the batch left alone still the same object."""
    service = create_service(api, partners.a)
    api.ok(TWO_STATIONS, {"id": service["id"]}, key=partners.a)
    api.ok(AVAILABILITY, {"id": service["id"], "bikes": 4}, key=partners.a)
    api.ok(PUBLISH, {"id": service["id"]}, key=partners.a)
    catalogue = api.client.app.state.planning.catalogue  # type: ignore[attr-defined]
    first, _ = catalogue.snapshot()
    patches = catalogue.live_patches
    api.ok(AVAILABILITY, {"id": service["id"], "bikes": 9}, key=partners.a)
    second, views = catalogue.snapshot()
    assert catalogue.live_patches == patches + 1
    assert second.version == api.db.catalogue_version() > first.version
    (before,), (after,) = first.services, second.services
    assert [s.vehicles_available for s in before.stations] == [4, None]
    assert [s.vehicles_available for s in after.stations] == [9, None]
    assert after.stations[1] is before.stations[1]
    (view,) = views.values()
    assert view.stations[0].availability is not None
    assert view.stations[0].availability.vehicles_available == 9

    fresh = PlannerCatalogue(api.db)
    try:
        full, full_views = fresh.snapshot()
    finally:
        fresh.close()
    assert fresh.live_patches == 0
    assert full == second and full_views == views
