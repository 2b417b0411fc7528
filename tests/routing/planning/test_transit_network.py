"""One transit network over every timetabled service, on the real west-Issy streets.

The stops stand where RATP's 2019 GTFS puts them (``ratp_gtfs_full_stops_2019``: stop ids in
the names below); the two timetables are test data made by hand, not real departures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from pathlib import Path

import pytest

from routing.planning.itinerary import Itinerary, LegMode
from routing.planning.planner import TripPlanner
from routing.planning.request import PlanRequest, Preferences
from routing.planning.services import PricingPlan, ServiceCatalogue, ServiceKind, TransitService
from routing.street.modes import Mode
from routing.street.network import StreetNetwork, open_street_network
from routing.transit.timetable import (
    ServiceCalendar,
    Timetable,
    TransitRoute,
    TransitStop,
    TransitTrip,
)

OVERPASS = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"
PARIS = dt.timezone(dt.timedelta(hours=1))
MONDAY_0830 = dt.datetime(2026, 11, 30, 8, 30, tzinfo=PARIS)
ORIGIN = (48.8190, 2.2392)  # beside the Meudon-sur-Seine tram stop
DESTINATION = (48.8261, 2.2482)  # beside the Pont de Billancourt bus stop

# Shuttle: Meudon-sur-Seine tramway (4473212) -> Les Moulineaux tramway (4009261).
SHUTTLE_STOPS = (
    TransitStop("meudon", "Meudon sur Seine", 48.81889433667651, 2.238866475906443),
    TransitStop("moulineaux-t", "Les Moulineaux", 48.82163721220325, 2.252676374723151),
)
# Bus: Les Moulineaux (4009384) -> Ile Saint-Germain (3681801) -> Pont de Billancourt (3681803).
BUS_STOPS = (
    TransitStop("moulineaux-b", "Les Moulineaux", 48.82147452777927, 2.251410827016059),
    TransitStop("isg", "Ile Saint-Germain", 48.82349539514756, 2.2495427198114597),
    TransitStop("pdb", "Pont de Billancourt", 48.825866993708395, 2.2480005507039484),
)
CALENDAR = ServiceCalendar("all", (True,) * 7, dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def hm(hours: int, minutes: int) -> int:
    return hours * 3600 + minutes * 60


def shuttle() -> TransitService:
    """Leaves Meudon at 08:40 and 08:50, six minutes to Les Moulineaux."""
    trips = tuple(
        TransitTrip(
            f"n{k}",
            "nav",
            "all",
            "Les Moulineaux",
            ("meudon", "moulineaux-t"),
            (hm(8, 40 + 10 * k), hm(8, 46 + 10 * k)),
            (hm(8, 40 + 10 * k), hm(8, 46 + 10 * k)),
        )
        for k in range(2)
    )
    timetable = Timetable(
        SHUTTLE_STOPS,
        (TransitRoute("nav", "N", "Navette test", "shuttle"),),
        trips,
        (CALENDAR,),
        source_id="shuttle",
    )
    return TransitService(
        "navette", "Navette test", ServiceKind.SHUTTLE, timetable, PricingPlan(unlock_minor=100)
    )


def direct_bus() -> TransitService:
    """A slower line from the Meudon-sur-Seine bus stop (4009382) straight to the bridge."""
    stops = (
        TransitStop("meudon-b", "Meudon sur Seine", 48.819145789458624, 2.238621014176667),
        BUS_STOPS[2],
    )
    times = (hm(8, 45), hm(9, 10))
    timetable = Timetable(
        stops,
        (TransitRoute("D", "D", "Ligne directe test", "bus"),),
        (TransitTrip("d0", "D", "all", "Pont", ("meudon-b", "pdb"), times, times),),
        (CALENDAR,),
        source_id="direct",
    )
    return TransitService(
        "direct", "Direct test", ServiceKind.PUBLIC_TRANSPORT, timetable, PricingPlan()
    )


def bus(first_minute: int = 43, *, stairs: frozenset[str] = frozenset()) -> TransitService:
    """Leaves Les Moulineaux every 10 minutes from 08:``first_minute``, 5 min to the bridge."""
    trips = []
    for k in range(4):
        start = hm(8, first_minute + 10 * k)
        times = (start, start + 150, start + 300)
        trips.append(
            TransitTrip(
                f"b{k}",
                "L",
                "all",
                "Pont",
                tuple(s.id for s in BUS_STOPS),
                times,
                times,
                wheelchair=False if f"b{k}" in stairs else None,
            )
        )
    timetable = Timetable(
        BUS_STOPS,
        (TransitRoute("L", "99", "Ligne test", "bus", color="0055A4"),),
        tuple(trips),
        (CALENDAR,),
        source_id="bus",
    )
    return TransitService(
        "bus", "Bus test", ServiceKind.PUBLIC_TRANSPORT, timetable, PricingPlan(unlock_minor=215)
    )


@pytest.fixture(scope="module")
def west_issy(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetNetwork:
    return open_street_network(shared_data / OVERPASS, cache_dir=tmp_path_factory.mktemp("w"))


def plan(
    planner: TripPlanner,
    *services: TransitService,
    max_transfers: int = 4,
    wheelchair: bool = False,
) -> tuple[list[Itinerary], list[str]]:
    request = PlanRequest(
        origin=ORIGIN,
        destination=DESTINATION,
        time=MONDAY_0830,
        direct_modes=frozenset({"WALK"}),
        preferences=Preferences(max_walk_m=300, max_transfers=max_transfers, wheelchair=wheelchair),
    )
    result = planner.plan(request, ServiceCatalogue(services, version=1))
    transit = [it for it in result.itineraries if any(leg.transit for leg in it.legs)]
    return transit, [error.code for error in result.errors]


def test_journey_changes_from_a_shuttle_to_a_bus_along_the_streets(
    west_issy: StreetNetwork,
) -> None:
    planner = TripPlanner(west_issy, clock=lambda: MONDAY_0830)
    # Neither service alone reaches: the shuttle ends too far from the destination, the
    # bus starts too far from the origin (300 m walking at most).
    for alone in (shuttle(), bus()):
        transit, codes = plan(planner, alone)
        assert transit == [] and "NO_SERVICE_AVAILABLE" in codes

    transit, codes = plan(planner, shuttle(), bus())
    assert transit, codes
    legs = transit[0].legs
    assert [leg.mode for leg in legs] == [
        LegMode.WALK,
        LegMode.SHUTTLE,
        LegMode.WALK,
        LegMode.TRANSIT,
        LegMode.WALK,
    ]
    ride, change, bus_ride = legs[1], legs[2], legs[3]
    assert ride.transit is not None and bus_ride.transit is not None
    assert (ride.service_id, ride.transit.trip_id) == ("navette", "n0")
    assert ride.end.time() == dt.time(8, 46)
    # The change is the walk the street router measures between the two stops' snaps.
    walk = west_issy.router(Mode.WALK)
    a, b = SHUTTLE_STOPS[1], BUS_STOPS[0]
    measured = walk.route_between(walk.snap(a.lat, a.lon), walk.snap(b.lat, b.lon))
    assert (change.end - change.start).total_seconds() == math.ceil(measured.duration_s)
    assert change.distance_m == pytest.approx(measured.distance_m)
    assert len(change.coordinates) > 2  # drawn along the streets, not a straight line
    assert (change.from_place.stop_id, change.to_place.stop_id) == ("moulineaux-t", "moulineaux-b")
    # 08:46 + the walk + 60 s slack misses the 08:43 bus and catches the 08:53 one.
    assert change.end + dt.timedelta(seconds=60) <= bus_ride.start
    assert (bus_ride.service_id, bus_ride.transit.trip_id) == ("bus", "b1")
    assert bus_ride.start.time() == dt.time(8, 53) and bus_ride.end.time() == dt.time(8, 58)
    assert bus_ride.transit.route_name == "99" and bus_ride.to_place.stop_id == "pdb"
    assert [v.stop_id for v in bus_ride.transit.intermediate_stops] == ["isg"]
    # Each service charges its own fare.
    assert (ride.price_minor, bus_ride.price_minor) == (100, 215)


def test_a_republished_timetable_is_in_the_next_plan_without_measuring_walks_again(
    west_issy: StreetNetwork,
) -> None:
    planner = TripPlanner(west_issy, clock=lambda: MONDAY_0830)
    navette = shuttle()
    first, _ = plan(planner, navette, bus())
    searches = planner.transit_indexes.transfers.searches
    assert searches > 0 and planner.transit_indexes.builds == 1
    assert first[0].legs[3].start.time() == dt.time(8, 53)
    # A snapshot rebuilt for another change brings an equal timetable: the index is kept.
    again, _ = plan(planner, navette, bus())
    assert again == first and planner.transit_indexes.builds == 1
    # The bus now leaves two minutes later: a new timetable value, a new network.
    later, _ = plan(planner, navette, bus(first_minute=45))
    assert later[0].legs[3].start.time() == dt.time(8, 55)
    assert planner.transit_indexes.builds == 2
    assert planner.transit_indexes.transfers.searches == searches  # same stops, walks cached
    # A stop moved to another pole is measured again, and only from the stops near it.
    moved = dataclasses.replace(BUS_STOPS[0], lat=48.82155533833698, lon=2.2513018060643315)
    service = bus()
    timetable = dataclasses.replace(service.timetable, stops=(moved, *BUS_STOPS[1:]))
    plan(planner, navette, dataclasses.replace(service, timetable=timetable))
    assert searches < planner.transit_indexes.transfers.searches <= searches + 4


def test_one_changed_service_prefixes_and_splits_its_own_trips_only(
    west_issy: StreetNetwork,
) -> None:
    """Issue 15 "rebuilt incrementally when one service changes": the network and the day's
    RAPTOR index are rebuilt, but the unchanged shuttle's prefixed part and its patterns are
    taken as they were; only the bus's are made again, and its new departure is ridden."""
    planner = TripPlanner(west_issy, clock=lambda: MONDAY_0830)
    indexes = planner.transit_indexes
    navette = shuttle()
    first, _ = plan(planner, navette, bus())
    assert first[0].legs[3].start.time() == dt.time(8, 53)
    prepared, split, built = indexes.parts_prepared, indexes.pattern_groups_split, indexes.builds
    assert (prepared, split) == (2, 2)  # each service's part; each one's route and stops
    later, _ = plan(planner, navette, bus(first_minute=45))
    assert later[0].legs[3].start.time() == dt.time(8, 55)
    assert later[0].legs[1] == first[0].legs[1]  # the shuttle's ride, from its kept part
    assert indexes.builds == built + 1
    assert (indexes.parts_prepared, indexes.pattern_groups_split) == (prepared + 1, split + 1)
    # And with the wheelchair restriction (step-free timetables kept per service too).
    plan(planner, navette, bus(first_minute=45), wheelchair=True)
    prepared, split = indexes.parts_prepared, indexes.pattern_groups_split
    wheelchair, _ = plan(planner, navette, bus(first_minute=47), wheelchair=True)
    assert wheelchair[0].legs[3].start.time() == dt.time(8, 57)
    assert (indexes.parts_prepared, indexes.pattern_groups_split) == (prepared + 1, split + 1)
    # A network of the shuttle alone keeps the shuttle's part too: nothing prefixed again.
    plan(planner, navette)
    assert indexes.parts_prepared == prepared + 1


def test_the_plan_offers_the_later_journey_without_a_change_and_honours_max_transfers(
    west_issy: StreetNetwork,
) -> None:
    planner = TripPlanner(west_issy, clock=lambda: MONDAY_0830)
    transit, _ = plan(planner, shuttle(), bus(), direct_bus())
    rides = [[leg.transit.trip_id for leg in it.legs if leg.transit] for it in transit]
    assert rides == [["n0", "b1"], ["d0"]]  # fastest first; the direct one arrives 09:10
    assert transit[1].end > transit[0].end
    transit, _ = plan(planner, shuttle(), bus(), direct_bus(), max_transfers=0)
    assert [[leg.transit.trip_id for leg in it.legs if leg.transit] for it in transit] == [["d0"]]


def test_wheelchair_users_skip_trips_marked_inaccessible(west_issy: StreetNetwork) -> None:
    planner = TripPlanner(west_issy, clock=lambda: MONDAY_0830)
    transit, _ = plan(planner, shuttle(), bus(stairs=frozenset({"b1"})))
    assert transit[0].legs[3].transit.trip_id == "b1"  # type: ignore[union-attr]
    transit, _ = plan(planner, shuttle(), bus(stairs=frozenset({"b1"})), wheelchair=True)
    ride = transit[0].legs[3]
    assert ride.transit is not None and ride.transit.trip_id == "b2"
    assert ride.start.time() == dt.time(9, 3)


def test_calendar_dates_exceptions_decide_the_day(west_issy: StreetNetwork) -> None:
    planner = TripPlanner(west_issy, clock=lambda: MONDAY_0830)
    monday = MONDAY_0830.date()

    def on_calendar(service: TransitService, calendar: ServiceCalendar) -> TransitService:
        trips = tuple(
            dataclasses.replace(t, service_id=calendar.service_id) for t in service.timetable.trips
        )
        timetable = dataclasses.replace(service.timetable, trips=trips, calendars=(calendar,))
        return dataclasses.replace(service, timetable=timetable)

    removed = dataclasses.replace(CALENDAR, removed_dates=frozenset({monday}))
    transit, codes = plan(planner, shuttle(), on_calendar(bus(), removed))
    assert transit == [] and "NO_TRANSIT_CONNECTION" in codes
    only_added = ServiceCalendar("extra", added_dates=frozenset({monday}))
    transit, _ = plan(planner, shuttle(), on_calendar(bus(), only_added))
    assert transit[0].legs[3].start.time() == dt.time(8, 53)
    next_day = ServiceCalendar("extra", added_dates=frozenset({monday + dt.timedelta(days=1)}))
    transit, _ = plan(planner, shuttle(), on_calendar(bus(), next_day))
    assert transit == []


def test_a_footpath_before_the_first_ride_starts_after_the_access_walk(
    west_issy: StreetNetwork,
) -> None:
    # The bus stop is beyond a 200 m walk from here; the shuttle's terminus is within it,
    # and its street transfer to the bus stop leads on.
    planner = TripPlanner(west_issy, clock=lambda: MONDAY_0830)
    request = PlanRequest(
        origin=(48.8217, 2.2555),
        destination=DESTINATION,
        time=MONDAY_0830,
        direct_modes=frozenset({"WALK"}),
        preferences=Preferences(max_walk_m=200),
    )
    result = planner.plan(request, ServiceCatalogue((shuttle(), bus()), version=1))
    [legs] = [it.legs for it in result.itineraries if any(leg.transit for leg in it.legs)]
    assert [leg.mode for leg in legs] == [LegMode.WALK] * 2 + [LegMode.TRANSIT, LegMode.WALK]
    assert (legs[1].from_place.stop_id, legs[1].to_place.stop_id) == (
        "moulineaux-t",
        "moulineaux-b",
    )
    for before, after in itertools.pairwise(legs):
        assert before.end <= after.start + dt.timedelta(microseconds=1)
    assert legs[1].end <= legs[2].start and legs[2].start.time() == dt.time(8, 43)
