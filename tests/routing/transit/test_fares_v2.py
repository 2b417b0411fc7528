"""GTFS Fares v2 on a small hand-made feed with known answers (``fixtures/gtfs_fares_v2``: not
a real network, not real prices; it also holds v1 fares, which v2 must override), and on
tables built here for the rules the feed does not exercise."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from routing.transit.fares_v2 import (
    FareLegRule,
    FareProduct,
    FaresV2,
    FareTransferRule,
    Timeframe,
    V2Ride,
)
from routing.transit.gtfs import read_gtfs
from routing.transit.journey_fares import leg_fares
from routing.transit.network import merge_timetables
from routing.transit.raptor import RaptorIndex
from routing.transit.timetable import Journey, ServiceCalendar, Timetable, TimetableError

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


def test_a_timeframe_rule_is_unknown_without_the_ride_s_local_times() -> None:
    fares = FaresV2(
        (FLAT, FareProduct("peak", 300, "EUR")),
        (FareLegRule("flat"), FareLegRule("peak", from_timeframe_group_id="peak")),
        timeframes=(Timeframe("peak", 7 * H, 9 * H + 1800, "weekdays"),),
        calendars={"weekdays": WEEKDAYS},
    )
    assert fares.prices([V2Ride("R", "a", "b", 0, 60)]) is None


PARIS = ZoneInfo("Europe/Paris")
# 2026-06-01 is a Monday, 2026-06-06 a Saturday.
WEEKDAYS = ServiceCalendar(
    "weekdays", (True,) * 5 + (False,) * 2, date(2026, 1, 1), date(2026, 12, 31)
)
PEAK = FareProduct("peak", 300, "EUR")
OFF_PEAK = FareProduct("off_peak", 180, "EUR")


def timed_ride(day: date, board_s: int, alight_s: int) -> V2Ride:
    """A ride of route R on ``day``'s service, its times as the planner gives them."""
    start = datetime(day.year, day.month, day.day, tzinfo=PARIS)
    return V2Ride(
        "R",
        "a",
        "b",
        board_s,
        alight_s,
        (start + timedelta(seconds=board_s)).astimezone(PARIS),
        (start + timedelta(seconds=alight_s)).astimezone(PARIS),
    )


def peak_fares(column: str = "from_timeframe_group_id", *, prioritised: bool = True) -> FaresV2:
    """Peak 3.00 when boarding (or alighting) 07:00-09:30 on weekdays, else off-peak 1.80."""

    def rule(product: str, group: str | None, priority: int | None) -> FareLegRule:
        by_arrival = column == "to_timeframe_group_id"
        return FareLegRule(
            product,
            from_timeframe_group_id=None if by_arrival else group,
            to_timeframe_group_id=group if by_arrival else None,
            rule_priority=priority,
        )

    peak = rule("peak", "peak", 1 if prioritised else None)
    if prioritised:
        off_peak = rule("off_peak", None, 0)
        frames: tuple[Timeframe, ...] = (Timeframe("peak", 7 * H, 9 * H + 1800, "weekdays"),)
    else:  # without priorities, the groups must not overlap: off-peak is every other time
        off_peak = rule("off_peak", "off_peak", None)
        frames = (
            Timeframe("peak", 7 * H, 9 * H + 1800, "weekdays"),
            Timeframe("off_peak", 0, 7 * H, "weekdays"),
            Timeframe("off_peak", 9 * H + 1800, 24 * H, "weekdays"),
            Timeframe("off_peak", 0, 24 * H, "weekend"),
        )
    weekend = ServiceCalendar(
        "weekend", (False,) * 5 + (True,) * 2, date(2026, 1, 1), date(2026, 12, 31)
    )
    return FaresV2(
        (PEAK, OFF_PEAK),
        (peak, off_peak),
        timeframes=frames,
        calendars={"weekdays": WEEKDAYS, "weekend": weekend},
    )


def paid(fares: FaresV2, *rides: V2Ride) -> list[tuple[int, str | None]] | None:
    priced = fares.prices(list(rides))
    return None if priced is None else [(p.price_minor, p.fare_product_id) for p in priced]


@pytest.mark.parametrize("prioritised", [True, False], ids=["rule_priority", "no-priority"])
def test_a_peak_timeframe_prices_by_the_boarding_time_on_weekdays(prioritised: bool) -> None:
    fares = peak_fares(prioritised=prioritised)
    monday, saturday = DAY, date(2026, 6, 6)
    assert paid(fares, timed_ride(monday, 9 * H, 9 * H + 1200)) == [(300, "peak")]
    assert paid(fares, timed_ride(monday, 10 * H, 10 * H + 1200)) == [(180, "off_peak")]
    assert paid(fares, timed_ride(monday, 6 * H + 3599, 7 * H + 600)) == [(180, "off_peak")]
    assert paid(fares, timed_ride(monday, 7 * H, 7 * H + 600)) == [(300, "peak")]  # start in
    # The end is out: boarding at 09:30:00 is off-peak, at 09:29:59 peak.
    assert paid(fares, timed_ride(monday, 9 * H + 1800, 10 * H)) == [(180, "off_peak")]
    assert paid(fares, timed_ride(monday, 9 * H + 1799, 10 * H)) == [(300, "peak")]
    # Saturday: the timeframe's service does not run, so 09:00 is off-peak.
    assert paid(fares, timed_ride(saturday, 9 * H, 9 * H + 1200)) == [(180, "off_peak")]
    # Two rides of one journey, each by its own boarding time.
    assert paid(
        fares, timed_ride(monday, 9 * H, 9 * H + 1200), timed_ride(monday, 9 * H + 1900, 11 * H)
    ) == [(300, "peak"), (180, "off_peak")]


def test_to_timeframe_group_id_matches_the_alighting_time() -> None:
    fares = peak_fares("to_timeframe_group_id")
    monday = DAY
    # Boarding at 06:50 off-peak but alighting at 07:10 in the peak: peak by arrival.
    assert paid(fares, timed_ride(monday, 6 * H + 3000, 7 * H + 600)) == [(300, "peak")]
    # Boarding in the peak, alighting after it: off-peak by arrival.
    assert paid(fares, timed_ride(monday, 9 * H + 1500, 9 * H + 2400)) == [(180, "off_peak")]
    # The boarding rule on the same rides says the opposite.
    boarding = peak_fares()
    assert paid(boarding, timed_ride(monday, 6 * H + 3000, 7 * H + 600)) == [(180, "off_peak")]
    assert paid(boarding, timed_ride(monday, 9 * H + 1500, 9 * H + 2400)) == [(300, "peak")]


def test_a_ride_after_midnight_is_timed_on_the_wall_clock_date() -> None:
    # Friday's service at 31:30 is Saturday 07:30: the weekday peak does not run then
    # (the reference's local time semantics: the event's local date and time of day).
    fares = peak_fares()
    friday = date(2026, 6, 5)
    assert paid(fares, timed_ride(friday, 31 * H + 1800, 32 * H)) == [(180, "off_peak")]
    # Sunday's service at 31:30 is Monday 07:30: peak.
    sunday = date(2026, 6, 7)
    assert paid(fares, timed_ride(sunday, 31 * H + 1800, 32 * H)) == [(300, "peak")]


def test_a_whole_day_timeframe_and_an_exception_date() -> None:
    # A holiday removed from the weekday service is off-peak all day; a whole-day (empty
    # times, 00:00-24:00) Sunday group prices Sunday rides at night too.
    holiday = date(2026, 7, 14)  # a Tuesday
    weekdays = ServiceCalendar(
        "weekdays",
        (True,) * 5 + (False,) * 2,
        date(2026, 1, 1),
        date(2026, 12, 31),
        removed_dates=frozenset((holiday,)),
    )
    sundays = ServiceCalendar(
        "sundays", (False,) * 6 + (True,), date(2026, 1, 1), date(2026, 12, 31)
    )
    fares = FaresV2(
        (PEAK, OFF_PEAK, FareProduct("sunday", 100, "EUR")),
        (
            FareLegRule("peak", from_timeframe_group_id="peak", rule_priority=1),
            FareLegRule("sunday", from_timeframe_group_id="sunday", rule_priority=1),
            FareLegRule("off_peak", rule_priority=0),
        ),
        timeframes=(
            Timeframe("peak", 7 * H, 9 * H + 1800, "weekdays"),
            Timeframe("sunday", 0, 24 * H, "sundays"),
        ),
        calendars={"weekdays": weekdays, "sundays": sundays},
    )
    assert paid(fares, timed_ride(holiday, 8 * H, 8 * H + 600)) == [(180, "off_peak")]
    assert paid(fares, timed_ride(date(2026, 7, 15), 8 * H, 8 * H + 600)) == [(300, "peak")]
    sunday = date(2026, 6, 7)
    assert paid(fares, timed_ride(sunday, 23 * H + 3599, 24 * H + 600)) == [(100, "sunday")]
    assert paid(fares, timed_ride(sunday, 0, 600)) == [(100, "sunday")]


def test_a_timeframe_group_with_no_row_leaves_the_price_unknown() -> None:
    # A stored table without its timeframes (an older document): unknown, never a guess.
    fares = FaresV2(
        (PEAK, OFF_PEAK),
        (
            FareLegRule("peak", from_timeframe_group_id="peak", rule_priority=1),
            FareLegRule("off_peak", rule_priority=0),
        ),
    )
    assert paid(fares, timed_ride(DAY, 9 * H, 9 * H + 600)) is None
    # A lower-priority timed rule cannot change the price: the higher one prices the ride.
    lower = FaresV2(
        (PEAK, OFF_PEAK),
        (
            FareLegRule("peak", from_timeframe_group_id="peak", rule_priority=0),
            FareLegRule("off_peak", rule_priority=1),
        ),
    )
    assert paid(lower, V2Ride("R", "a", "b", 0, 60)) == [(180, "off_peak")]


TIMEFRAMES_FILES = {
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
    "start_date,end_date\nALL,1,1,1,1,1,1,1,20260101,20261231\n"
    "WD,1,1,1,1,1,0,0,20260101,20261231\n",
    "timeframes.txt": "timeframe_group_id,start_time,end_time,service_id\n"
    "peak,07:00:00,09:30:00,WD\nlate,20:00:00,24:00:00,WD\n",
    "fare_products.txt": "fare_product_id,amount,currency\npeak,3.00,EUR\noff,1.80,EUR\n",
    "fare_leg_rules.txt": "fare_product_id,from_timeframe_group_id,rule_priority\n"
    "peak,peak,1\noff,,0\n",
}


def test_a_feed_s_timeframes_price_its_rides_by_their_local_times(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    shutil.copytree(FEED, feed)
    for name in ("fare_transfer_rules.txt", "fare_leg_rules.txt"):
        (feed / name).unlink()
    for name, text in TIMEFRAMES_FILES.items():
        (feed / name).write_text(text)
    table = read_gtfs(feed)
    fares = table.fares_v2[0]
    assert [(f.group_id, f.start_s, f.end_s, f.service_id) for f in fares.timeframes] == [
        ("peak", 7 * H, 9 * H + 1800, "WD"),
        ("late", 20 * H, 24 * H, "WD"),
    ]
    prices: dict[date, dict[str, list[tuple[int | None, str | None]]]] = {}
    for day in (DAY, date(2026, 6, 6)):  # a Monday, a Saturday
        start = datetime(day.year, day.month, day.day, tzinfo=PARIS)

        def clock(seconds: float, start: datetime = start) -> datetime:
            return (start + timedelta(seconds=seconds)).astimezone(PARIS)

        # Departing at 07:55, the express leaves A at 08:00, the local too (20 min longer).
        journeys = RaptorIndex(table, day).pareto_depart_at({"A": 0}, {"Z": 0}, 7 * H + 55 * 60)
        prices[day] = {
            j.transit_legs[0].trip.id: [
                (f.price_minor, f.fare_id) if f else (None, None)
                for f in leg_fares(table.fares, j.transit_legs, table.fares_v2, clock)
            ]
            for j in journeys
        }
        # Without the clock the ride a timeframe rule may price is unknown, never a guess.
        assert all(
            f is not None and f.price_minor is None
            for j in journeys
            for f in leg_fares(table.fares, j.transit_legs, table.fares_v2)
        )
    assert prices[DAY]["exp1"] == [(300, "peak")]  # 08:00 on a Monday: peak
    assert prices[date(2026, 6, 6)]["exp1"] == [(180, "off")]  # on a Saturday: off-peak


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
            "timeframes.txt",
            "timeframe_group_id,start_time,end_time,service_id\npeak,07:00:00,09:30:00,NOPE\n",
            r"timeframes.txt line 2: service_id 'NOPE' is not in calendar.txt",
            id="timeframe-service",
        ),
        pytest.param(
            "timeframes.txt",
            "timeframe_group_id,start_time,end_time,service_id\npeak,07:00:00,,ALL\n",
            r"timeframes.txt line 2: start_time and end_time go together",
            id="timeframe-half",
        ),
        pytest.param(
            "timeframes.txt",
            "timeframe_group_id,start_time,end_time,service_id\npeak,07:00:00,24:00:01,ALL\n",
            r"timeframes.txt line 2: end_time '24:00:01'; accepted: HH:MM:SS from 00:00:00 "
            "to 24:00:00",
            id="timeframe-after-midnight",
        ),
        pytest.param(
            "timeframes.txt",
            "timeframe_group_id,start_time,end_time,service_id\npeak,09:30:00,07:00:00,ALL\n",
            r"timeframes.txt line 2: start_time '09:30:00' is not before end_time",
            id="timeframe-backwards",
        ),
        pytest.param(
            "timeframes.txt",
            "timeframe_group_id,start_time,end_time\npeak,07:00:00,09:30:00\n",
            r"service_id",
            id="timeframe-no-service-column",
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


def test_the_search_sees_a_lower_bound_where_a_timeframe_rule_may_apply() -> None:
    # The search has no times: the cheapest product any rule of the ride may give.
    assert peak_fares().cheapest_ride_minor("R", frozenset(), frozenset()) == 180
    dearer = FaresV2(
        (PEAK, FareProduct("night", 500, "EUR")),
        (
            FareLegRule("peak", from_timeframe_group_id="peak", rule_priority=1),
            FareLegRule("night", rule_priority=0),
        ),
        timeframes=(Timeframe("peak", 7 * H, 9 * H + 1800, "weekdays"),),
        calendars={"weekdays": WEEKDAYS},
    )
    assert dearer.cheapest_ride_minor("R", frozenset(), frozenset()) == 300
    assert paid(dearer, timed_ride(DAY, 10 * H, 10 * H + 600)) == [(500, "night")]
