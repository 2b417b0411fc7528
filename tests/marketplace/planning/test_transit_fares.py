"""GTFS fares and transfers.txt through the real import and the real planner.

The stops stand where RATP's 2019 GTFS puts them (as in ``test_transit_plans``); the lines,
times, prices and transfer rules are test data written here, known answers, not real ones.
Streets: the real west-Issy extract.
"""

from __future__ import annotations

from typing import Any

from tests.marketplace.helpers import Api, Partners, published_service
from tests.marketplace.planning.test_transit_plans import (
    BUS,
    CALENDAR,
    DESTINATION,
    IMPORT,
    ORIGIN,
    SHUTTLE,
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
    edges { node { priceMinor currency unpricedLegs legs {
      mode start priceMinor currency transit { tripId }
    } } }
  }
}
"""
FARES = {
    "fare_attributes.txt": "fare_id,price,currency_type,payment_method,transfers,"
    "transfer_duration\nticket,1.90,EUR,0,,5400\n",
    "fare_rules.txt": "fare_id,route_id\nticket,L\n",
}


def _rides(api: Api) -> list[dict[str, Any]]:
    variables = {"o": ORIGIN, "d": DESTINATION, "when": {"earliestDeparture": MONDAY_MORNING}}
    nodes = [edge["node"] for edge in api.ok(PLAN, variables)["plan"]["edges"]]
    return [n for n in nodes if any(leg["transit"] for leg in n["legs"])]


def _publish(api: Api, key: str, kind: str, name: str, files: dict[str, str]) -> dict[str, Any]:
    service = published_service(api, key, kind=kind, name=name, serviceArea=None)
    report: dict[str, Any] = api.ok(IMPORT, {"id": service["id"], "files": files}, key=key)[
        "importGtfs"
    ]
    return report


def test_a_fare_from_gtfs_fares_prices_the_ride_and_an_unknown_price_stays_unknown(
    planner_api: Api, partners: Partners
) -> None:
    _publish(planner_api, partners.a, "SHUTTLE", "Navette Bas-Meudon", SHUTTLE)
    report = _publish(planner_api, partners.b, "PUBLIC_TRANSPORT", "Bus test", BUS | FARES)
    assert report["skippedCount"] == 0
    [option] = _rides(planner_api)
    shuttle, bus = option["legs"][1], option["legs"][3]
    assert (bus["priceMinor"], bus["currency"]) == (190, "EUR")
    # The shuttle publishes no price: unknown, and so is the journey's total, never free.
    assert shuttle["priceMinor"] is None
    assert option["priceMinor"] is None and option["unpricedLegs"] == [1]


# One operator's feed with both lines: transfers.txt rules apply within a feed.
ONE_FEED = {
    "stops.txt": SHUTTLE["stops.txt"]
    + "\n".join(
        line.replace("moulineaux,", "moulineaux_bus,", 1)
        for line in BUS["stops.txt"].split("\n")[1:]
    ),
    "routes.txt": "route_id,route_short_name,route_long_name,route_type\n"
    "nav,N,Navette test,3\nL,99,Ligne test,3\n",
    "trips.txt": "route_id,service_id,trip_id\nnav,all,n0\nnav,all,n1\n"
    + "".join(f"L,all,b{k}\n" for k in range(4)),
    "stop_times.txt": SHUTTLE["stop_times.txt"]
    + "".join(
        f"b{k},{h:02d}:{m:02d}:00,{h:02d}:{m:02d}:00,moulineaux_bus,1\n"
        f"b{k},{h:02d}:{m + 2:02d}:30,{h:02d}:{m + 2:02d}:30,isg,2\n"
        f"b{k},{h:02d}:{m + 5:02d}:00,{h:02d}:{m + 5:02d}:00,pdb,3\n"
        for k, (h, m) in enumerate(((8, 33), (8, 43), (8, 53), (9, 3)))
    ),
    "calendar.txt": CALENDAR,
}
TRANSFERS = "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n"


def _network(api: Api, key: str) -> str:
    service = published_service(api, key, kind="PUBLIC_TRANSPORT", name="Réseau", serviceArea=None)
    return str(service["id"])


def _bus_trips(api: Api, key: str, service_id: str, files: dict[str, str]) -> list[str]:
    """Import ``files`` (again: the timetable is replaced) and plan: the bus trips taken."""
    report = api.ok(IMPORT, {"id": service_id, "files": files}, key=key)["importGtfs"]
    assert report["skippedCount"] == 0
    return [
        leg["transit"]["tripId"]
        for option in _rides(api)
        for leg in option["legs"]
        if leg["transit"] and leg["transit"]["tripId"].startswith("b")
    ]


def test_transfers_txt_minimum_time_makes_the_change_later(
    planner_api: Api, partners: Partners
) -> None:
    network = _network(planner_api, partners.b)
    assert _bus_trips(planner_api, partners.b, network, ONE_FEED) == ["b2"]  # short walk: 08:53
    # The shuttle's last stop is near two stops of the bus: a rule for each.
    rule = TRANSFERS + "moulineaux,moulineaux_bus,2,600\nmoulineaux,isg,2,900\n"
    # Ten minutes to change after 08:46: the 08:53 bus is gone, the 09:03 one is taken.
    assert _bus_trips(planner_api, partners.b, network, ONE_FEED | {"transfers.txt": rule}) == [
        "b3"
    ]


def test_transfers_txt_type_3_forbids_the_change(planner_api: Api, partners: Partners) -> None:
    network = _network(planner_api, partners.b)
    assert _bus_trips(planner_api, partners.b, network, ONE_FEED) == ["b2"]
    rule = TRANSFERS + "moulineaux,moulineaux_bus,3,\nmoulineaux,isg,3,\n"
    assert _bus_trips(planner_api, partners.b, network, ONE_FEED | {"transfers.txt": rule}) == []


def test_bad_fare_and_transfer_rows_are_skipped_and_said(api: Api, partners: Partners) -> None:
    files = ONE_FEED | {
        "fare_attributes.txt": "fare_id,price,currency_type\nok,2,EUR\nbad,deux,EUR\n",
        "fare_rules.txt": "fare_id,route_id\nok,L\nok,NOPE\nghost,L\n",
        "transfers.txt": TRANSFERS + "moulineaux,nowhere,0,\nmoulineaux,isg,2,\n",
    }
    service = published_service(
        api, partners.b, kind="PUBLIC_TRANSPORT", name="R", serviceArea=None
    )
    query = """mutation($id: ID!, $files: JSON!) {
      importGtfs(serviceId: $id, files: $files) { skippedCount skipped { feed reason } } }"""
    report = api.ok(query, {"id": service["id"], "files": files}, key=partners.b)["importGtfs"]
    reasons = sorted((s["feed"], s["reason"]) for s in report["skipped"])
    assert report["skippedCount"] == 5
    assert (
        "fare_attributes.txt",
        "line 3: price 'deux' is not an amount of 'EUR' (such as 1.90 EUR)",
    ) in reasons
    assert ("transfers.txt", "line 3: transfer_type 2 needs min_transfer_time") in reasons
    assert (
        "transfers.txt",
        "line 2: from_stop_id or to_stop_id is not a stop of stops.txt",
    ) in reasons
