"""A fare from GTFS fares (v1), on a small hand-made feed with known answers
(``fixtures/gtfs_fares``: not a real network, not real prices), and price as a McRAPTOR
criterion so a cheaper, slower option survives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from routing.transit.fares import (
    FareAttribute,
    FareRide,
    FareRule,
    FareTable,
    price_minor,
)
from routing.transit.gtfs import read_gtfs
from routing.transit.journey_fares import leg_fares
from routing.transit.network import merge_timetables
from routing.transit.options import StopOption
from routing.transit.raptor import RaptorIndex
from routing.transit.timetable import Journey, Timetable, TimetableError

FEED = Path(__file__).parent / "fixtures" / "gtfs_fares"
DAY = date(2026, 6, 1)
H = 3600


@pytest.fixture(scope="module")
def timetable() -> Timetable:
    return read_gtfs(FEED)


def prices(timetable: Timetable, journey: Journey) -> list[tuple[str, int | None]]:
    fares = leg_fares(timetable.fares, journey.transit_legs)
    return [
        (leg.trip.id, None if fare is None else fare.price_minor)
        for leg, fare in zip(journey.transit_legs, fares, strict=True)
    ]


def test_the_feed_s_fares_and_zones_are_read(timetable: Timetable) -> None:
    assert {f.id: (f.price_minor, f.currency, f.transfers) for f in timetable.fares.attributes} == {
        "express": (500, "EUR", 0),
        "ticket": (190, "EUR", None),
        "short": (100, "EUR", 0),
    }
    assert len(timetable.fares.rules) == 4
    assert timetable.stop_by_id["Z"].zone_id == "2"
    assert timetable.stop_by_id["W"].zone_id is None
    assert timetable.route_by_id["EXP"].timezone == "Europe/Paris"


def test_a_cheaper_slower_option_survives_the_search(timetable: Timetable) -> None:
    index = RaptorIndex(timetable, DAY)
    journeys = index.pareto_depart_at({"A": 0}, {"Z": 0}, 7 * H + 55 * 60)
    found = {(j.transit_legs[0].trip.id, j.arrival_s) for j in journeys}
    # Same rides and walking: without price the local (arriving 20 min later) is beaten.
    assert found == {("exp1", 8 * H + 600), ("loc1", 8 * H + 1800)}
    by_trip = {j.transit_legs[0].trip.id: prices(timetable, j) for j in journeys}
    assert by_trip == {"exp1": [("exp1", 500)], "loc1": [("loc1", 190)]}


@pytest.mark.parametrize("arrive_by", [False, True])
def test_an_access_option_s_price_and_the_rides_fares_are_one_criterion(
    timetable: Timetable, arrive_by: bool
) -> None:
    # A free 60 s walk to A, or a paid shared bike there (3.00, nothing on foot): each ride
    # keeps both, as the bike saves walking and the walk saves money, and leaving at 07:55 the
    # local stays beside the express only because its fare (1.90 against 5.00) is added to
    # the option's.
    index = RaptorIndex(timetable, DAY)
    access = [StopOption("A", 60), StopOption("A", 60, walk_s=0, price_minor=300)]
    time_s = 8 * H + 40 * 60 if arrive_by else 7 * H + 55 * 60
    found = index.pareto_options(access, [StopOption("Z", 0)], time_s, arrive_by=arrive_by)
    by_ride = {
        (one.journey.transit_legs[0].trip.id, one.access): (
            one.walk_s,
            one.price_minor,  # the options' price only: rides are priced on the legs
            prices(timetable, one.journey),
        )
        for one in found
    }
    local = {
        ("loc1", 0): (60, 0, [("loc1", 190)]),
        ("loc1", 1): (0, 300, [("loc1", 190)]),
    }
    express = {
        ("exp1", 0): (60, 0, [("exp1", 500)]),
        ("exp1", 1): (0, 300, [("exp1", 500)]),
    }
    # Arriving by 08:40, both leave A at 08:00: the dearer express is beaten.
    assert by_ride == (local if arrive_by else local | express)


def test_a_ticket_covers_a_change_within_its_duration(timetable: Timetable) -> None:
    index = RaptorIndex(timetable, DAY)
    journeys = index.pareto_depart_at({"A": 0}, {"Y": 0}, 7 * H + 55 * 60)
    # The express then the feeder arrives no earlier and costs more: only the local remains.
    assert [prices(timetable, j) for j in journeys] == [[("loc1", 190), ("feed1", 0)]]


def test_zone_rule_prices_a_ride_within_zone_2(timetable: Timetable) -> None:
    index = RaptorIndex(timetable, DAY)
    (journey,) = index.pareto_depart_at({"Z": 0}, {"Y": 0}, 8 * H + 30 * 60)
    assert prices(timetable, journey) == [("feed1", 100)]


def test_a_ride_no_fare_covers_makes_the_price_unknown_never_free(timetable: Timetable) -> None:
    index = RaptorIndex(timetable, DAY)
    journeys = index.pareto_depart_at({"A": 0}, {"W": 0}, 7 * H + 55 * 60)
    assert journeys
    for journey in journeys:
        fares = leg_fares(timetable.fares, journey.transit_legs)
        assert all(f is not None and f.price_minor is None for f in fares)


def test_fares_stay_with_their_feed_in_a_merged_network(timetable: Timetable) -> None:
    network = merge_timetables([("a", timetable), ("b", timetable)])
    fares = network.timetable.fares
    assert fares.prices_route("a/LOC") and fares.prices_route("b/EXP")
    ride = FareRide("b/LOC", "b/1", "b/2", frozenset({"b/1", "b/2"}), 0)
    assert fares.cheapest_ride_minor(ride) == 190
    # Feed a's ticket never pays for feed b's ride followed by feed a's.
    tickets = fares.tickets([ride, FareRide("a/FEED", "a/2", "a/2", frozenset({"a/2"}), 600)])
    assert tickets is not None and [t.fare.id for t in tickets] == ["b/ticket", "a/short"]


def test_transfer_duration_and_count_limit_a_ticket() -> None:
    fares = FareTable(
        (FareAttribute("single", 200, "EUR", transfers=1, transfer_duration_s=3600),),
        (),
    )
    rides = [FareRide("R", None, None, frozenset(), t) for t in (0, 1800, 2400)]
    tickets = fares.tickets(rides)
    assert tickets is not None
    # One change per ticket: three rides need two tickets, one covering two adjacent rides.
    assert sorted(t.last - t.first for t in tickets) == [0, 1]
    late = fares.tickets([rides[0], FareRide("R", None, None, frozenset(), 4000)])
    assert late is not None and len(late) == 2  # past the hour: a second ticket


def test_contains_rule_needs_exactly_the_zones_passed() -> None:
    fares = FareTable(
        (FareAttribute("two_zones", 300, "EUR"),),
        (FareRule("two_zones", contains_zone="1"), FareRule("two_zones", contains_zone="2")),
    )
    both = FareRide("R", "1", "2", frozenset({"1", "2"}), 0)
    assert fares.cheapest_ride_minor(both) == 300
    assert fares.cheapest_ride_minor(FareRide("R", "1", "3", frozenset({"1", "3"}), 0)) is None


def test_mixed_currencies_have_no_total() -> None:
    fares = FareTable(
        (FareAttribute("e", 100, "EUR", scope="x/"), FareAttribute("c", 300, "CHF", scope="y/")),
    )
    rides = [
        FareRide("x/R", None, None, frozenset(), 0),
        FareRide("y/R", None, None, frozenset(), 9),
    ]
    assert fares.tickets(rides) is None


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        pytest.param("1.90", "EUR", 190, id="euros"),
        pytest.param("2", "EUR", 200, id="whole"),
        pytest.param("250", "JPY", 250, id="no-minor-unit"),
        pytest.param("1.905", "EUR", None, id="too-many-decimals"),
        pytest.param("-1", "EUR", None, id="negative"),
        pytest.param("free", "EUR", None, id="not-a-number"),
        pytest.param("NaN", "EUR", None, id="nan"),
    ],
)
def test_prices_are_read_exactly(text: str, currency: str, expected: int | None) -> None:
    assert price_minor(text, currency) == expected


def test_a_bad_fare_row_names_the_file_and_line(tmp_path: Path) -> None:
    for name in ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt"):
        (tmp_path / name).write_text((FEED / name).read_text())
    (tmp_path / "calendar.txt").write_text((FEED / "calendar.txt").read_text())
    (tmp_path / "fare_attributes.txt").write_text(
        "fare_id,price,currency_type,payment_method,transfers\nf,1.999,EUR,0,\n"
    )
    with pytest.raises(TimetableError, match=r"fare_attributes.txt line 2: price '1.999'"):
        read_gtfs(tmp_path)
    (tmp_path / "fare_attributes.txt").write_text(
        "fare_id,price,currency_type,payment_method,transfers\nf,1.90,EUR,0,\n"
    )
    (tmp_path / "fare_rules.txt").write_text("fare_id,route_id\nf,NOPE\n")
    with pytest.raises(TimetableError, match=r"fare_rules.txt line 2: route_id 'NOPE'"):
        read_gtfs(tmp_path)
