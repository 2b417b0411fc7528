"""GTFS reading (fixture folders and zips, the report, malformed feeds) and value validation."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from routing.errors import RoutingError
from routing.transit.gtfs import read_gtfs, read_gtfs_with_report
from routing.transit.timetable import (
    ServiceCalendar,
    Timetable,
    TimetableError,
    TransitRoute,
    TransitStop,
    TransitTrip,
)

FIXTURES = Path(__file__).parent / "fixtures"
CROSSING = FIXTURES / "gtfs_crossing"
DATES_ONLY = FIXTURES / "gtfs_dates_only"


def _copy(tmp_path: Path, source: Path = CROSSING) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def _edit(feed: Path, name: str, old: str, new: str) -> None:
    text = (feed / name).read_text(encoding="utf-8-sig")
    assert old in text, f"{old!r} is not in {name}"
    (feed / name).write_text(text.replace(old, new, 1), encoding="utf-8")


def _zip(folder: Path, target: Path, *, inside: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.glob("*.txt")):
            archive.write(file, f"{inside}{file.name}")
    return target


def test_crossing_feed_reads_stops_routes_trips_and_calendars() -> None:
    timetable, report = read_gtfs_with_report(CROSSING)
    assert timetable.source_id == "gtfs_crossing"
    # stops.txt starts with a byte-order mark: the first column is still "stop_id".
    assert [s.id for s in timetable.stops] == ["A", "B", "C", "M", "M2", "Z"]
    assert [s.id for s in timetable.stations] == ["M_STATION"]
    middle = timetable.stop_by_id["M"]
    assert middle.name == "Middle, platform 1"  # a quoted field with a comma
    assert middle.parent_station == "M_STATION"
    assert middle.wheelchair is True  # 0 = inherit from the station
    assert timetable.stop_by_id["C"].wheelchair is False
    assert timetable.stop_by_id["B"].wheelchair is None

    routes = timetable.route_by_id
    assert sorted(routes) == ["F1", "F2", "S"]
    assert (routes["S"].mode, routes["F1"].mode) == ("bus", "tram")
    assert routes["S"].long_name == "Slow direct, A - C - Z"
    assert routes["F2"].color == "00FF00"  # a leading '#' is tolerated
    assert routes["F1"].color is None
    assert routes["S"].agency_id == "TEST"

    trips = timetable.trip_by_id
    assert sorted(trips) == ["F1a", "F2a", "F2b", "S1", "S_NIGHT"]
    assert trips["S1"].headsign == "Z, via C"
    assert trips["S1"].arrival_s == (8 * 3600, 8 * 3600 + 29 * 60, 9 * 3600)
    assert trips["S1"].departure_s[1] == 8 * 3600 + 30 * 60
    assert trips["S_NIGHT"].departure_s[0] == 24 * 3600 + 30 * 60
    # stop_times rows out of order are sorted by stop_sequence.
    assert trips["F2b"].stop_ids == ("C", "M", "Z")
    assert trips["F1a"].stop_ids == ("A", "M", "B")

    week = timetable.calendar_by_id["WK"]
    assert week.weekdays == (True, True, True, True, True, False, False)
    assert week.removed_dates == frozenset({date(2026, 3, 3)})
    assert week.added_dates == frozenset({date(2026, 3, 8)})
    assert report.created["routes"] == 3
    assert report.created["trips"] == 5
    assert report.created["stations"] == 1


def test_report_lists_skipped_rows_with_reasons() -> None:
    _, report = read_gtfs_with_report(CROSSING)
    reasons = {(row.file, row.line): row.reason for row in report.skipped}
    assert "kept as a parent" in reasons[("stops.txt", 5)]
    assert "location_type 2" in reasons[("stops.txt", 8)]
    assert "route_type 1700" in reasons[("routes.txt", 5)]
    assert "route 'X' is skipped" in reasons[("trips.txt", 8)]
    assert "1 stop time(s)" in reasons[("trips.txt", 7)]
    assert "6 stops" in report.summary()


def test_frequencies_repeat_a_trip_at_its_headway(tmp_path: Path) -> None:
    feed = _copy(tmp_path)
    (feed / "frequencies.txt").write_text(
        "trip_id,start_time,end_time,headway_secs,exact_times\n"
        "F1a,07:00:00,07:30:00,600,1\n"
        "F2a,07:00:00,07:20:00,900,0\n"
    )
    timetable, report = read_gtfs_with_report(feed)
    f1 = [t for t in timetable.trips if t.route_id == "F1"]
    # F1a's stop times (08:05, 08:15, 08:25) are a pattern only: it runs 07:00, 07:10, 07:20.
    assert [(t.id, t.departure_s, t.headway_s) for t in f1] == [
        ("F1a@07:00:00", (25200, 25800, 26400), None),
        ("F1a@07:10:00", (25800, 26400, 27000), None),
        ("F1a@07:20:00", (26400, 27000, 27600), None),
    ]
    f2a = [t for t in timetable.trips if t.id.startswith("F2a")]
    assert [(t.id, t.arrival_s[1], t.headway_s) for t in f2a] == [
        ("F2a@07:00:00", 25200 + 630, 900),  # frequency-based: nominal times, headway kept
        ("F2a@07:15:00", 26100 + 630, 900),
    ]
    assert "F2b" in timetable.trip_by_id  # trips without frequencies keep their times
    assert report.created["frequency_trips"] == 5
    assert not [row for row in report.skipped if row.file == "frequencies.txt"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("NOPE,07:00:00,08:00:00,600,", "trip_id 'NOPE' is not a trip with stop times"),
        ("F1a,08:00:00,07:00:00,600,", "expected start before end"),
        ("F1a,07:00:00,08:00:00,0,", "headway_secs 0"),
        ("F1a,07:00:00,08:00:00,600,2", "exact_times '2'"),
        ("F1a,00:00:00,47:00:00,1,1", "at most 8640"),
    ],
)
def test_malformed_frequencies_name_the_line(tmp_path: Path, row: str, expected: str) -> None:
    feed = _copy(tmp_path)
    (feed / "frequencies.txt").write_text(
        f"trip_id,start_time,end_time,headway_secs,exact_times\n{row}\n"
    )
    with pytest.raises(TimetableError, match=expected) as error:
        read_gtfs(feed)
    assert "frequencies.txt line 2" in str(error.value)


def test_trip_wheelchair_accessibility_is_read(tmp_path: Path) -> None:
    feed = _copy(tmp_path)
    _edit(feed, "trips.txt", "trip_headsign\n", "trip_headsign,wheelchair_accessible\n")
    _edit(feed, "trips.txt", "F1,WK,F1a,B", "F1,WK,F1a,B,1")
    _edit(feed, "trips.txt", "F2,WK,F2a,Z", "F2,WK,F2a,Z,2")
    timetable = read_gtfs(feed)
    flags = {t.id: t.wheelchair for t in timetable.trips}
    assert (flags["F1a"], flags["F2a"], flags["F2b"]) == (True, False, None)


def test_calendar_dates_only_and_blank_times_are_interpolated() -> None:
    timetable, report = read_gtfs_with_report(DATES_ONLY)
    (trip,) = timetable.trips
    assert trip.arrival_s == (36_000, 36_600, 37_200)
    assert trip.departure_s == (36_000, 36_600, 37_200)
    assert report.interpolated_times == 1
    # No one boards at the terminus nor alights at the start.
    assert (trip.pickup, trip.drop_off) == ((True, True, False), (False, True, True))
    assert read_gtfs(CROSSING).trip_by_id["S1"].pickup == ()  # no column: allowed everywhere
    assert timetable.routes[0].agency_id == ""
    assert [t.id for t in timetable.active_trips(date(2026, 5, 1))] == ["T1"]
    assert timetable.active_trips(date(2026, 5, 2)) == ()


@pytest.mark.parametrize(
    "inside", [pytest.param("", id="root"), pytest.param("feed/", id="folder")]
)
def test_zip_reads_like_the_folder(tmp_path: Path, inside: str) -> None:
    archive = _zip(CROSSING, tmp_path / "crossing.zip", inside=inside)
    from_zip = read_gtfs(archive)
    from_folder = read_gtfs(CROSSING)
    assert from_zip.source_id == "crossing.zip"
    assert from_zip.stops == from_folder.stops
    assert from_zip.trips == from_folder.trips
    assert from_zip.calendars == from_folder.calendars


def test_path_that_is_not_a_feed(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(TimetableError, match="neither a folder nor a zip"):
        read_gtfs(tmp_path / "notes.txt")


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        pytest.param(
            "stop_times.txt",
            "08:15:30",
            "25:61:00",
            r"stop_times\.txt line 11: arrival_time '25:61:00' is not a GTFS time",
            id="bad-time",
        ),
        pytest.param(
            "stop_times.txt",
            "F2a,08:05:00,08:05:00,C,1",
            "F2a,08:05:00,08:05:00,NOPE,1",
            r"stop_times\.txt line 10: stop_id 'NOPE' is not a stop",
            id="unknown-stop",
        ),
        pytest.param(
            "stop_times.txt",
            "F1a,08:15:00",
            "GHOST,08:15:00",
            r"stop_times\.txt line 8: trip_id 'GHOST' is not in trips\.txt",
            id="unknown-trip",
        ),
        pytest.param(
            "stop_times.txt",
            "F1a,08:25:00,08:25:00",
            "F1a,08:10:00,08:10:00",
            r"stop_times\.txt line 9: trip 'F1a' .* never decrease",
            id="time-backwards",
        ),
        pytest.param(
            "stop_times.txt",
            "F1a,08:05:00,08:05:00,A,10",
            "F1a,08:05:00,08:05:00,M_STATION,10",
            r"line 7: stop_id 'M_STATION' is a station",
            id="station-in-stop-times",
        ),
        pytest.param(
            "trips.txt",
            "F1,WK,F1a",
            "F1,NEVER,F1a",
            r"trips\.txt line 4: service_id 'NEVER'",
            id="unknown-service",
        ),
        pytest.param(
            "stops.txt",
            "48.8300,2.2700",
            "148.8300,2.2700",
            r"stops\.txt line 3: stop 'B': lat 148\.83 is out of range",
            id="lat-out-of-range",
        ),
        pytest.param(
            "calendar.txt",
            "20261231",
            "2026-12-31",
            r"calendar\.txt line 2: end_date '2026-12-31' is not a date",
            id="bad-date",
        ),
        pytest.param(
            "routes.txt",
            "route_type",
            "kind",
            r"routes\.txt line 1: required column\(s\) route_type missing",
            id="missing-column",
        ),
        pytest.param(
            "stop_times.txt",
            "S1,08:00:00,08:00:00,A,1\n",
            "S1,08:00:00,08:00:00,A,1,extra\n",
            r"stop_times\.txt line 2: 6 fields",
            id="extra-field",
        ),
    ],
)
def test_malformed_feeds_name_file_and_line(
    tmp_path: Path, name: str, old: str, new: str, expected: str
) -> None:
    feed = _copy(tmp_path)
    _edit(feed, name, old, new)
    with pytest.raises(TimetableError, match=expected):
        read_gtfs(feed)


def test_missing_stop_times(tmp_path: Path) -> None:
    feed = _copy(tmp_path)
    (feed / "stop_times.txt").unlink()
    with pytest.raises(TimetableError, match=r"stop_times\.txt is missing"):
        read_gtfs(feed)


def test_missing_both_calendars(tmp_path: Path) -> None:
    feed = _copy(tmp_path)
    (feed / "calendar.txt").unlink()
    (feed / "calendar_dates.txt").unlink()
    with pytest.raises(TimetableError, match=r"calendar\.txt and calendar_dates\.txt"):
        read_gtfs(feed)


def test_empty_file(tmp_path: Path) -> None:
    feed = _copy(tmp_path)
    (feed / "trips.txt").write_text("")
    with pytest.raises(TimetableError, match=r"trips\.txt line 1: the file is empty"):
        read_gtfs(feed)


def test_malformed_zip_names_the_file_and_line(tmp_path: Path) -> None:
    feed = _copy(tmp_path)
    _edit(feed, "stop_times.txt", "09:00:00,09:00:00,Z", "9h,9h,Z")
    with pytest.raises(TimetableError, match=r"stop_times\.txt line 4: arrival_time '9h'"):
        read_gtfs(_zip(feed, tmp_path / "bad.zip"))


# -- the values themselves -------------------------------------------------------------------

_CALENDAR = ServiceCalendar("ALL", (True,) * 7, date(2026, 1, 1), date(2026, 12, 31))


def _trip(**changes: object) -> TransitTrip:
    fields: dict[str, object] = {
        "id": "t",
        "route_id": "r",
        "service_id": "ALL",
        "headsign": "",
        "stop_ids": ("A", "B"),
        "arrival_s": (100, 200),
        "departure_s": (100, 200),
    }
    fields.update(changes)
    return TransitTrip(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda: _trip(arrival_s=(100, 90), departure_s=(100, 90)),
            r"trip 't': times go backwards at stop 1 \('B'\)",
            id="times-backwards",
        ),
        pytest.param(
            lambda: _trip(arrival_s=(100, 200), departure_s=(150, 190)),
            "times go backwards at stop 1",
            id="departure-before-arrival",
        ),
        pytest.param(
            lambda: _trip(arrival_s=(-1, 200)), r"arrival_s\[0\] .* is -1", id="negative-time"
        ),
        pytest.param(lambda: _trip(stop_ids=("A",)), "at least 2", id="one-stop"),
        pytest.param(lambda: _trip(arrival_s=(1, 2, 3)), "3 arrival_s", id="lengths"),
        pytest.param(
            lambda: TransitStop("A", "A", 91.0, 2.0),
            r"stop 'A': lat 91\.0 is out of range",
            id="lat",
        ),
        pytest.param(
            lambda: TransitStop("A", "A", 48.0, -181.0), "lon -181.0 is out of range", id="lon"
        ),
        pytest.param(
            lambda: TransitRoute("r", "1", "", "hovercraft"),
            "mode 'hovercraft' is not accepted; expected one of bus",
            id="mode",
        ),
        pytest.param(
            lambda: TransitRoute("r", "1", "", "bus", color="red"), "color 'red'", id="colour"
        ),
        pytest.param(
            lambda: ServiceCalendar(
                "S",
                added_dates=frozenset({date(2026, 1, 1)}),
                removed_dates=frozenset({date(2026, 1, 1)}),
            ),
            "both added and removed",
            id="calendar-exception-twice",
        ),
        pytest.param(
            lambda: ServiceCalendar("S", (True,) * 7, date(2026, 2, 1), date(2026, 1, 1)),
            "end_date 2026-01-01 is before start_date",
            id="calendar-backwards",
        ),
    ],
)
def test_values_reject_bad_fields(build: Callable[[], object], expected: str) -> None:
    with pytest.raises(TimetableError, match=expected):
        build()


def _timetable(trip: TransitTrip, stops: tuple[str, ...] = ("A", "B")) -> Timetable:
    return Timetable(
        stops=tuple(TransitStop(s, s, 48.8, 2.2) for s in stops),
        routes=(TransitRoute("r", "1", "", "bus"),),
        trips=(trip,),
        calendars=(_CALENDAR,),
        source_id="values",
    )


def test_timetable_checks_references() -> None:
    assert _timetable(_trip()).trip_by_id["t"].stop_ids == ("A", "B")
    with pytest.raises(TimetableError, match=r"trip 't': stop_ids\[1\] 'Q' is not a known"):
        _timetable(_trip(stop_ids=("A", "Q")))
    with pytest.raises(TimetableError, match="route_id 'nope' is not a known route"):
        _timetable(_trip(route_id="nope"))
    with pytest.raises(TimetableError, match="service_id 'nope' is not a known calendar"):
        _timetable(_trip(service_id="nope"))
    with pytest.raises(TimetableError, match="stop id 'A' appears twice"):
        _timetable(_trip(), stops=("A", "B", "A"))
    # TimetableError is a ValueError and a RoutingError: callers may catch either.
    assert issubclass(TimetableError, ValueError) and issubclass(TimetableError, RoutingError)


def test_calendar_runs_on_weekdays_and_exceptions() -> None:
    calendar = ServiceCalendar(
        "WK",
        (True, True, True, True, True, False, False),
        date(2026, 1, 1),
        date(2026, 12, 31),
        added_dates=frozenset({date(2026, 3, 8)}),
        removed_dates=frozenset({date(2026, 3, 3)}),
    )
    assert calendar.runs_on(date(2026, 3, 2))  # Monday
    assert not calendar.runs_on(date(2026, 3, 3))  # removed Tuesday
    assert not calendar.runs_on(date(2026, 3, 7))  # Saturday
    assert calendar.runs_on(date(2026, 3, 8))  # added Sunday
    assert not calendar.runs_on(date(2027, 1, 4))  # after end_date
