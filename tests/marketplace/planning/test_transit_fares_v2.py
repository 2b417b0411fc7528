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


def _timed(peak: str) -> dict[str, str]:
    """V2 with a bus peak fare (3.00, priority 2) boarding within ``peak`` on every day of
    service ``all``, and an evening fare (9.99, priority 3) no morning ride may pay."""
    rules = "".join(f"{line},\n" for line in V2["fare_leg_rules.txt"].splitlines()[1:])
    return V2 | {
        "fare_products.txt": V2["fare_products.txt"] + "bus_peak,3.00,EUR\nbus_evening,9.99,EUR\n",
        "timeframes.txt": "timeframe_group_id,start_time,end_time,service_id\n"
        f"peak,{peak},all\nevening,18:00:00,20:00:00,all\n",
        "fare_leg_rules.txt": "leg_group_id,network_id,from_area_id,to_area_id,fare_product_id,"
        "rule_priority,from_timeframe_group_id\n"
        + rules
        + "bus_peak,bus,,,bus_peak,2,peak\nbus_evening,bus,,,bus_evening,3,evening\n",
    }


def test_a_timeframe_prices_the_rides_boarded_in_it(planner_api: Api, partners: Partners) -> None:
    service = published_service(
        planner_api, partners.b, kind="PUBLIC_TRANSPORT", name="Réseau", serviceArea=None
    )
    # Monday about 08:30-09:00: the buses board in an 08:00-09:30 peak and pay 3.00 (the
    # transfer rule names the Billancourt group, so no 0.40 off); the evening fare never.
    report = _import(planner_api, partners.b, service["id"], ONE_FEED | _timed("08:00:00,09:30:00"))
    assert report["skippedCount"] == 0
    rides = _priced_rides(planner_api)
    assert rides
    for legs, total in rides:
        assert [price for _, _, price in legs] == [100, 300] and total == 400, legs
    # The same feed with the peak over before the rides (07:00-08:00): the untimed rules
    # price them again, as without timeframes. (The search sees a lower bound, the cheapest
    # product a rule may give: 2.00 to either stop, so it may keep one itinerary only.)
    _import(planner_api, partners.b, service["id"], ONE_FEED | _timed("07:00:00,08:00:00"))
    rides = _priced_rides(planner_api)
    assert rides
    untimed = {"Pont de Billancourt": ([100, 220], 320), "Ile Saint-Germain": ([100, 200], 300)}
    for legs, total in rides:
        assert ([price for _, _, price in legs], total) == untimed[legs[1][1]], legs
