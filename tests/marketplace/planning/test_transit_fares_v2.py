"""GTFS Fares v2 through the real GraphQL import and the real planner.

The stops stand where RATP's 2019 GTFS puts them (as in ``test_transit_plans``); the lines,
times, networks, areas and prices are test data written here, known answers, not real ones.
Streets: the real west-Issy extract.
"""

from __future__ import annotations

from typing import Any

from tests.marketplace.helpers import Api, Partners, published_service
from tests.marketplace.planning.test_transit_fares import FARES, ONE_FEED
from tests.marketplace.planning.test_transit_plans import (
    DESTINATION,
    ORIGIN,
    planner_api,
    streets,
)
from tests.marketplace.trips import MONDAY_MORNING

__all__ = ["planner_api", "streets"]  # the fixtures, shared with the other plan tests

PLAN = """
query($o: PlanLocationInput!, $d: PlanLocationInput!, $when: PlanDateTimeInput) {
  plan(origin: $o, destination: $d, dateTime: $when,
       preferences: {maxWalkDistanceM: 300},
       modes: {direct: [WALK], services: [SHUTTLE, PUBLIC_TRANSPORT]}) {
    edges { node { priceMinor legs { priceMinor to { name } transit { tripId } } } }
  }
}
"""
IMPORT = """mutation($id: ID!, $files: JSON!) {
  importGtfs(serviceId: $id, files: $files) { skippedCount counts { feed created } } }"""

# The shuttle (nav) is network "navette", the bus (L) network "bus" (routes.network_id).
# A bus ride to the Billancourt area costs 2.60 (an area rule of higher priority than the
# bus network's 2.00); shuttle then such a bus within 90 min: 0.40 off (A + AB + B).
V2 = {
    "routes.txt": "route_id,route_short_name,route_long_name,route_type,network_id\n"
    "nav,N,Navette test,3,navette\nL,99,Ligne test,3,bus\n",
    "fare_products.txt": "fare_product_id,amount,currency\n"
    "nav_single,1.00,EUR\nbus_single,2.00,EUR\nbus_billancourt,2.60,EUR\n"
    "correspondance,-0.40,EUR\n",
    "areas.txt": "area_id,area_name\nbillancourt,Billancourt\n",
    "stop_areas.txt": "area_id,stop_id\nbillancourt,pdb\n",
    "fare_leg_rules.txt": "leg_group_id,network_id,from_area_id,to_area_id,fare_product_id,"
    "rule_priority\n"
    "nav,navette,,,nav_single,0\n"
    "bus,bus,,,bus_single,0\n"
    "bus_billancourt,bus,,billancourt,bus_billancourt,1\n",
    "fare_transfer_rules.txt": "from_leg_group_id,to_leg_group_id,duration_limit,"
    "duration_limit_type,fare_transfer_type,fare_product_id\n"
    "nav,bus_billancourt,5400,1,1,correspondance\n",
}


def _import(api: Api, key: str, service_id: str, files: dict[str, str]) -> dict[str, Any]:
    report: dict[str, Any] = api.ok(IMPORT, {"id": service_id, "files": files}, key=key)[
        "importGtfs"
    ]
    return report


Ride = tuple[str, str, int | None]  # trip, name of the stop alighted at, price


def _priced_rides(api: Api) -> list[tuple[list[Ride], int | None]]:
    variables = {"o": ORIGIN, "d": DESTINATION, "when": {"earliestDeparture": MONDAY_MORNING}}
    nodes = [edge["node"] for edge in api.ok(PLAN, variables)["plan"]["edges"]]
    return [
        (
            [
                (leg["transit"]["tripId"], leg["to"]["name"], leg["priceMinor"])
                for leg in n["legs"]
                if leg["transit"]
            ],
            n["priceMinor"],
        )
        for n in nodes
        if any(leg["transit"] for leg in n["legs"])
    ]


def test_import_then_plan_prices_the_itinerary_with_fares_v2(
    planner_api: Api, partners: Partners
) -> None:
    service = published_service(
        planner_api, partners.b, kind="PUBLIC_TRANSPORT", name="Réseau", serviceArea=None
    )
    # The feed has v1 fares too (the bus at 1.90): v2 must price it.
    report = _import(planner_api, partners.b, service["id"], ONE_FEED | FARES | V2)
    assert report["skippedCount"] == 0
    created = {c["feed"]: c["created"] for c in report["counts"]}
    assert created["fare_leg_rules.txt"] == 3 and created["fare_products.txt"] == 4
    rides = _priced_rides(planner_api)
    alighted = set()
    for legs, total in rides:
        assert [trip[0] for trip, _, _ in legs] == ["n", "b"], legs
        alighted.add(legs[1][1])
        if legs[1][1] == "Pont de Billancourt":
            # 1.00 for the shuttle; 2.60 - 0.40 for the bus to Pont de Billancourt (area).
            assert [price for _, _, price in legs] == [100, 220] and total == 320
        else:
            # Off the bus before Billancourt (walking on, cheaper): the network's 2.00 alone.
            assert [price for _, _, price in legs] == [100, 200] and total == 300
    assert alighted == {"Pont de Billancourt", "Ile Saint-Germain"}


def test_a_bad_v2_row_rejects_the_import_whole_and_keeps_the_previous_timetable(
    planner_api: Api, partners: Partners
) -> None:
    service = published_service(
        planner_api, partners.b, kind="PUBLIC_TRANSPORT", name="Réseau", serviceArea=None
    )
    _import(planner_api, partners.b, service["id"], ONE_FEED | V2)
    before = _priced_rides(planner_api)
    assert {total for _, total in before} >= {320}
    bad = (
        ONE_FEED
        | V2
        | {
            "fare_transfer_rules.txt": "from_leg_group_id,to_leg_group_id,fare_transfer_type\n"
            "nav,bus,5\n",
            "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
            "start_date,end_date\nall,0,0,0,0,0,0,0,20260101,20281231\n",  # would stop every trip
        }
    )
    error = planner_api.error(IMPORT, {"id": service["id"], "files": bad}, key=partners.b)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert (
        "fare_transfer_rules.txt line 2: fare_transfer_type '5'; accepted: 0" in (error["message"])
    )
    assert _priced_rides(planner_api) == before  # nothing of the bad feed was written
