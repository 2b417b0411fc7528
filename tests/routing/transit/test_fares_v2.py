"""GTFS Fares v2 on a small hand-made feed with known answers (``fixtures/gtfs_fares_v2``: not
a real network, not real prices; it also holds v1 fares, which v2 must override), and on
tables built here for the rules the feed does not exercise."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from routing.transit.fares_v2 import (
    FareLegRule,
    FareProduct,
    FaresV2,
    FareTransferRule,
    V2Ride,
)
from routing.transit.gtfs import read_gtfs
from routing.transit.journey_fares import leg_fares
from routing.transit.network import merge_timetables
from routing.transit.raptor import RaptorIndex
from routing.transit.timetable import Journey, Timetable, TimetableError

FEED = Path(__file__).parent / "fixtures" / "gtfs_fares_v2"
DAY = date(2026, 6, 1)
H = 3600


@pytest.fixture(scope="module")
def timetable() -> Timetable:
    return read_gtfs(FEED)


def ride(timetable: Timetable, trip_id: str, board: str, alight: str) -> V2Ride:
    trip = timetable.trip_by_id[trip_id]
    at = {stop: i for i, stop in enumerate(trip.stop_ids)}
    return V2Ride(
        trip.route_id, board, alight, trip.departure_s[at[board]], trip.arrival_s[at[alight]]
    )


def total(fares: FaresV2, rides: list[V2Ride]) -> int | None:
    priced = fares.prices(rides)
    return None if priced is None else sum(p.price_minor for p in priced)


def journey_prices(timetable: Timetable, journey: Journey) -> list[int | None]:
    fares = leg_fares(timetable.fares, journey.transit_legs, timetable.fares_v2)
    return [None if f is None else f.price_minor for f in fares]


def test_v2_is_read_and_replaces_the_feed_s_v1_fares(timetable: Timetable) -> None:
    (fares,) = timetable.fares_v2
    assert not timetable.fares  # the feed has v1 files too: v2 prices it
    assert len(fares.products) == 5 and len(fares.leg_rules) == 3
    assert fares.route_networks == {"EXP": "express", "LOC": "city", "FEED": "city"}
    assert fares.stop_areas["Z"] == frozenset({"outer"})


def test_a_network_price_takes_the_cheapest_medium(timetable: Timetable) -> None:
    (fares,) = timetable.fares_v2
    assert total(fares, [ride(timetable, "loc1", "A", "Z")]) == 200  # app 2.00, card 2.15
    assert total(fares, [ride(timetable, "exp1", "A", "Z")]) == 400


def test_an_area_to_area_rule_of_higher_priority_wins(timetable: Timetable) -> None:
    (fares,) = timetable.fares_v2
    assert total(fares, [ride(timetable, "feed1", "Z", "Y")]) == 120
    # From an inner stop the area rule does not match: the network's price applies.
    assert total(fares, [ride(timetable, "loc1", "M", "Z")]) == 200


def test_transfer_rules_free_or_discount_the_second_ride(timetable: Timetable) -> None:
    (fares,) = timetable.fares_v2
    local = [ride(timetable, "loc1", "A", "Z"), ride(timetable, "feed1", "Z", "Y")]
    express = [ride(timetable, "exp1", "A", "Z"), ride(timetable, "feed1", "Z", "Y")]
    priced = fares.prices(local)
    assert priced is not None and [p.price_minor for p in priced] == [200, 0]
    priced = fares.prices(express)
    assert priced is not None and [p.price_minor for p in priced] == [400, 70]  # 1.20 - 0.50


def test_a_planned_journey_is_priced_by_v2(timetable: Timetable) -> None:
    index = RaptorIndex(timetable, DAY)
    (journey,) = index.pareto_depart_at({"Z": 0}, {"Y": 0}, 8 * H + 30 * 60)
    assert journey_prices(timetable, journey) == [120]
    journeys = index.pareto_depart_at({"A": 0}, {"Y": 0}, 7 * H + 55 * 60)
    assert journeys
    expected = {"loc1": [200, 0], "exp1": [400, 70]}
    for found in journeys:
        assert journey_prices(timetable, found) == expected[found.transit_legs[0].trip.id]


def test_a_cheaper_slower_option_survives_the_search(timetable: Timetable) -> None:
    index = RaptorIndex(timetable, DAY)
    journeys = index.pareto_depart_at({"A": 0}, {"Z": 0}, 7 * H + 55 * 60)
    # The search sees v2 prices: the local (2.00, 20 min later) is kept beside the express.
    found = {j.transit_legs[0].trip.id: journey_prices(timetable, j) for j in journeys}
    assert found == {"exp1": [400], "loc1": [200]}


def test_a_ride_no_rule_matches_is_unknown_never_free(timetable: Timetable) -> None:
    index = RaptorIndex(timetable, DAY)
    journeys = index.pareto_depart_at({"Y": 0}, {"W": 0}, 8 * H + 55 * 60)
    assert journeys
    for journey in journeys:
        fares = leg_fares(timetable.fares, journey.transit_legs, timetable.fares_v2)
        assert all(f is not None and f.price_minor is None for f in fares)


def test_v2_stays_with_its_feed_in_a_merged_network(timetable: Timetable) -> None:
    network = merge_timetables([("a", timetable), ("b", timetable)])
    tables = network.timetable.fares_v2
    assert [t.scope for t in tables] == ["a/", "b/"]
    rides = [
        V2Ride("b/LOC", "b/A", "b/Z", 8 * H, 8 * H + 1800),
        V2Ride("b/FEED", "b/Z", "b/Y", 8 * H + 2100, 8 * H + 2700),
    ]
    assert total(tables[1], rides) == 200
    assert not tables[0].prices_route("b/LOC") and tables[1].prices_route("b/LOC")


FLAT = FareProduct("flat", 190, "EUR")


def test_a_flat_product_prices_every_ride_of_a_feed(tmp_path: Path) -> None:
    feed = tmp_path / "flat"
    shutil.copytree(FEED, feed)
    for name in ("fare_media.txt", "fare_transfer_rules.txt", "stop_areas.txt", "areas.txt"):
        (feed / name).unlink()
    (feed / "fare_products.txt").write_text("fare_product_id,amount,currency\nflat,1.90,EUR\n")
    (feed / "fare_leg_rules.txt").write_text("fare_product_id\nflat\n")
    flat = read_gtfs(feed)
    index = RaptorIndex(flat, DAY)
    journeys = index.pareto_depart_at({"A": 0}, {"W": 0}, 7 * H + 55 * 60)
    assert journeys
    for journey in journeys:  # no transfer rule: each ride pays, NOFARE included
        assert journey_prices(flat, journey) == [190] * len(journey.transit_legs)


def test_without_rule_priority_an_empty_field_matches_only_unnamed_values() -> None:
    fares = FaresV2(
        (FLAT, FareProduct("metro", 250, "EUR")),
        (FareLegRule("metro", network_id="metro"), FareLegRule("flat")),
        route_networks={"M1": "metro", "B1": "bus"},
    )
    assert total(fares, [V2Ride("M1", "a", "b", 0, 60)]) == 250  # not the cheaper flat rule
    assert total(fares, [V2Ride("B1", "a", "b", 0, 60)]) == 190


def test_with_rule_priority_an_empty_field_matches_all_and_priority_decides() -> None:
    fares = FaresV2(
        (FLAT, FareProduct("metro", 250, "EUR")),
        (
            FareLegRule("metro", network_id="metro", rule_priority=0),
            FareLegRule("flat", rule_priority=1),
        ),
        route_networks={"M1": "metro"},
    )
    assert total(fares, [V2Ride("M1", "a", "b", 0, 60)]) == 190


def two_rides(gap_s: int) -> list[V2Ride]:
    return [V2Ride("R", "a", "b", 0, 600), V2Ride("R", "b", "c", 600 + gap_s, 1200 + gap_s)]


def test_a_free_transfer_ends_with_its_duration_limit() -> None:
    fares = FaresV2(
        (FLAT,),
        (FareLegRule("flat", leg_group_id="g"),),
        (
            FareTransferRule(
                0, "g", "g", transfer_count=-1, duration_limit_s=5400, duration_limit_type=1
            ),
        ),
    )
    assert total(fares, two_rides(60 * 60)) == 190  # boards 70 min after the first
    assert total(fares, two_rides(90 * 60)) == 380  # boards 100 min after: a new fare


def test_transfer_count_limits_the_changes_of_a_sub_journey() -> None:
    fares = FaresV2(
        (FLAT,),
        (FareLegRule("flat", leg_group_id="g"),),
        (FareTransferRule(0, "g", "g", transfer_count=1),),
    )
    rides = [V2Ride("R", "a", "b", t, t + 300) for t in (0, 600, 1200)]
    assert total(fares, rides) == 380  # the third ride is a second change: a new fare


def test_transfer_type_2_prices_the_pair_by_the_transfer_product() -> None:
    fares = FaresV2(
        (FLAT, FareProduct("pair", 300, "EUR")),
        (FareLegRule("flat", leg_group_id="g"),),
        (FareTransferRule(2, "g", "g", transfer_count=-1, fare_product_id="pair"),),
    )
    priced = fares.prices(two_rides(0))
    assert priced is not None and [p.price_minor for p in priced] == [0, 300]


def test_a_timeframe_rule_that_could_apply_makes_the_price_unknown() -> None:
    fares = FaresV2(
        (FLAT, FareProduct("peak", 300, "EUR")),
        (FareLegRule("flat"), FareLegRule("peak", from_timeframe_group_id="peak")),
    )
    assert fares.prices([V2Ride("R", "a", "b", 0, 60)]) is None


def test_mixed_currencies_have_no_total() -> None:
    fares = FaresV2(
        (FareProduct("e", 100, "EUR"), FareProduct("c", 100, "CHF")),
        (
            FareLegRule("e", network_id="x"),
            FareLegRule("c", network_id="y"),
        ),
        route_networks={"X": "x", "Y": "y"},
    )
    assert fares.prices([V2Ride("X", "a", "b", 0, 60), V2Ride("Y", "b", "c", 90, 200)]) is None


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        pytest.param(
            "fare_products.txt",
            "fare_product_id,amount,currency\nx,1.999,EUR\n",
            r"fare_products.txt line 2: amount '1.999' is not an amount of EUR",
            id="amount",
        ),
        pytest.param(
            "fare_leg_rules.txt",
            "network_id,fare_product_id\ncity,nope\n",
            r"fare_leg_rules.txt line 2: fare_product_id 'nope' is not in fare_products.txt",
            id="unknown-product",
        ),
        pytest.param(
            "fare_leg_rules.txt",
            "network_id,fare_product_id\ntram,city_single\n",
            r"fare_leg_rules.txt line 2: network_id 'tram' is not in",
            id="unknown-network",
        ),
        pytest.param(
            "fare_transfer_rules.txt",
            "from_leg_group_id,to_leg_group_id,fare_transfer_type\ncity,city,3\n",
            r"fare_transfer_rules.txt line 2: transfer_count is empty but",
            id="count-required",
        ),
        pytest.param(
            "fare_transfer_rules.txt",
            "from_leg_group_id,to_leg_group_id,fare_transfer_type\ncity,express,3\n",
            r"fare_transfer_rules.txt line 2: fare_transfer_type '3'; accepted: 0",
            id="transfer-type",
        ),
        pytest.param(
            "stop_areas.txt",
            "area_id,stop_id\nouter,NOPE\n",
            r"stop_areas.txt line 2: stop_id 'NOPE' is not in stops.txt",
            id="unknown-stop",
        ),
    ],
)
def test_a_bad_v2_row_names_the_file_line_and_field(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    feed = tmp_path / "feed"
    shutil.copytree(FEED, feed)
    (feed / name).write_text(text)
    with pytest.raises(TimetableError, match=message):
        read_gtfs(feed)
