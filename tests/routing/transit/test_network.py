"""Several timetables merged into one network; ``transfers.txt`` rules on its footpaths."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from pathlib import Path

import pytest

from routing.transit.gtfs import read_gtfs, read_gtfs_with_report
from routing.transit.network import footpaths, merge_timetables, step_free
from routing.transit.raptor import RaptorIndex
from routing.transit.timetable import Timetable, TimetableError, TransferRule
from tests.routing.transit.timetables import DAY, make_timetable

CROSSING = Path(__file__).parent / "fixtures" / "gtfs_crossing"
MONDAY = date(2026, 3, 2)


def hms(text: str) -> int:
    hours, minutes, seconds = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def _platform_feed(tmp_path: Path, transfers: str | None) -> Path:
    """The crossing feed with line F2 calling at platform M2 of the station, not at M."""
    feed = tmp_path / "crossing_m2"
    shutil.copytree(CROSSING, feed)
    times = (feed / "stop_times.txt").read_text(encoding="utf-8")
    times = times.replace("08:15:30,M,2", "08:15:30,M2,2").replace("08:20:00,M,2", "08:20:00,M2,2")
    (feed / "stop_times.txt").write_text(times, encoding="utf-8")
    if transfers is not None:
        (feed / "transfers.txt").write_text(
            "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n" + transfers,
            encoding="utf-8",
        )
    return feed


def _trips(timetable: Timetable, walks: dict[tuple[str, str], float]) -> list[list[str]]:
    network = merge_timetables([("rail", timetable)])
    index = RaptorIndex(network.timetable, MONDAY, transfers=footpaths(network, walks))
    journeys = index.depart_at({"rail/A": 0}, {"rail/Z": 0}, hms("07:55:00"))
    return [[leg.trip.id.removeprefix("rail/") for leg in j.transit_legs] for j in journeys]


def test_journey_changes_between_two_services_along_a_footpath() -> None:
    shuttle = make_timetable({"s1": ("S", [("a", 100, 100), ("b", 400, 400)])}, ["a", "b"])
    bus = make_timetable(
        {
            "early": ("L", [("x", 420, 420), ("y", 900, 900)]),
            "late": ("L", [("x", 700, 700), ("y", 1000, 1000)]),
        },
        ["x", "y"],
    )
    network = merge_timetables([("shuttle", shuttle), ("bus", bus)])
    assert network.service_of_route("bus/L") == "bus"
    assert network.original_stop("shuttle/b") is shuttle.stop_by_id["b"]
    walks = {("shuttle/b", "bus/x"): 150.0, ("bus/x", "shuttle/b"): 150.0}
    index = RaptorIndex(network.timetable, DAY, transfers=footpaths(network, walks))
    journeys = index.depart_at({"shuttle/a": 0}, {"bus/y": 0}, 0)
    # 400 s + 150 s walk + 60 s slack = 610 s: the 420 s bus is gone, the 700 s one is caught.
    assert [[leg.trip.id for leg in j.transit_legs] for j in journeys] == [
        ["shuttle/s1", "bus/late"]
    ]
    assert journeys[0].arrival_s == 1000
    # Without the walk between the services there is no journey at all.
    alone = RaptorIndex(network.timetable, DAY, transfers=footpaths(network, {}))
    assert alone.depart_at({"shuttle/a": 0}, {"bus/y": 0}, 0) == []


def test_step_free_drops_inaccessible_trips_and_closes_inaccessible_stops() -> None:
    timetable = make_timetable(
        {
            "lift": ("L", [("a", 0, 0), ("b", 300, 300), ("c", 600, 600)]),
            "stairs": ("L", [("a", 100, 100), ("b", 400, 400), ("c", 700, 700)]),
        },
        ["a", "b", "c"],
    )
    trips = tuple(
        dataclasses.replace(t, wheelchair=False if t.id == "stairs" else None)
        for t in timetable.trips
    )
    stops = tuple(dataclasses.replace(s, wheelchair=s.id != "b") for s in timetable.stops)
    timetable = dataclasses.replace(timetable, stops=stops, trips=trips)
    accessible = step_free(timetable)
    assert [t.id for t in accessible.trips] == ["lift"]
    assert accessible.trips[0].pickup == (True, False, True)
    assert accessible.trips[0].drop_off == (True, False, True)
    index = RaptorIndex(accessible, DAY)
    assert index.depart_at({"a": 0}, {"b": 0}, 50) == []  # b is closed to wheelchairs
    assert [j.transit_legs[0].trip.id for j in index.depart_at({"a": 0}, {"c": 0}, 0)] == ["lift"]
    assert index.depart_at({"a": 0}, {"c": 0}, 50) == []  # the stairs trip is gone
    # Without the restriction the stairs trip and stop b serve.
    plain = RaptorIndex(timetable, DAY)
    assert [j.arrival_s for j in plain.depart_at({"a": 0}, {"b": 0}, 50)] == [400]


def test_merging_refuses_repeated_or_ambiguous_keys() -> None:
    bus = make_timetable({"t": ("L", [("x", 0, 0), ("y", 60, 60)])}, ["x", "y"])
    with pytest.raises(TimetableError, match="one distinct key"):
        merge_timetables([("bus", bus), ("bus", bus)])
    with pytest.raises(TimetableError, match="contains '/'"):
        merge_timetables([("a/b", bus)])


def test_transfers_txt_minimum_time_makes_and_lengthens_a_footpath(tmp_path: Path) -> None:
    # F1a reaches M at 08:15; F2b leaves platform M2 at 08:20; a 60 s boarding slack.
    without = read_gtfs(_platform_feed(tmp_path / "none", None))
    assert _trips(without, {}) == [["S1"]]  # no way from M to M2
    enough = read_gtfs(_platform_feed(tmp_path / "240", "M,M2,2,240\n"))
    assert enough.transfers == (TransferRule("M", "M2", 2, 240),)
    assert _trips(enough, {}) == [["S1"], ["F1a", "F2b"]]
    # The measured walk (60 s) is raised to the feed's minimum: 08:15 + 300 s + 60 s > 08:20.
    too_long = read_gtfs(_platform_feed(tmp_path / "300", "M,M2,2,300\n"))
    assert _trips(too_long, {("rail/M", "rail/M2"): 60.0}) == [["S1"]]
    assert _trips(too_long, {}) == [["S1"]]


def test_transfers_txt_forbidden_transfer_removes_a_measured_walk(tmp_path: Path) -> None:
    timetable = read_gtfs(_platform_feed(tmp_path / "x", "M,M2,3,\n"))
    network = merge_timetables([("rail", timetable)])
    paths = footpaths(network, {("rail/M", "rail/M2"): 60.0, ("rail/M2", "rail/M"): 60.0})
    assert paths == {"rail/M2": [("rail/M", 60.0)]}
    assert _trips(timetable, {("rail/M", "rail/M2"): 60.0}) == [["S1"]]


def test_transfers_txt_station_rules_apply_to_each_platform(tmp_path: Path) -> None:
    timetable, report = read_gtfs_with_report(
        _platform_feed(tmp_path, "M_STATION,M_STATION,2,120\nM,M,1,\n")
    )
    rules = {(r.from_stop_id, r.to_stop_id): r for r in timetable.transfers}
    assert set(rules) == {("M", "M"), ("M", "M2"), ("M2", "M"), ("M2", "M2")}
    assert rules[("M", "M")].kind == 1  # the stop-level rule after the station one wins
    assert rules[("M", "M2")].min_transfer_s == 120
    assert report.created["transfers"] == 4
    assert _trips(timetable, {}) == [["S1"], ["F1a", "F2b"]]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("M,NOWHERE,0,\n", "to_stop_id 'NOWHERE' is not a stop or station"),
        ("M,M2,5,\n", "transfer_type 5"),
        ("M,M2,2,\n", "transfer_type 2 needs min_transfer_time"),
        ("M,M2,2,-4\n", "min_transfer_time '-4'"),
    ],
)
def test_malformed_transfers_name_the_line(tmp_path: Path, row: str, expected: str) -> None:
    with pytest.raises(TimetableError, match=expected) as error:
        read_gtfs(_platform_feed(tmp_path, row))
    assert "transfers.txt line 2" in str(error.value)
