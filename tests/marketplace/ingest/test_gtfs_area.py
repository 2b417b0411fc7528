"""A feed restricted to an area as a stream: what is kept, bounded memory, bad boxes.

The feed is the hand-made one of ``tests/routing/transit/fixtures/gtfs_fares`` (known
answers, not a real network); the large one is generated here (a synthetic grid of trips, said
so), only to measure memory.
"""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from marketplace.errors import InvalidInput
from marketplace.ingest.gtfs import parse_gtfs
from marketplace.ingest.gtfs_area import BoundingBox, parse_bbox, restrict_to_area
from marketplace.ingest.gtfs_rules import read_feed_fares_v2

FEED = Path(__file__).parents[2] / "routing" / "transit" / "fixtures" / "gtfs_fares"
# Around stops A (48.8200, 2.2600), M and Z (48.8240, 2.2640); Y and W lie north of it.
BOX = parse_bbox("2.2590,48.8190,2.2650,48.8245")


def _ids(text: str, column: str) -> list[str]:
    return [row[column] for row in csv.DictReader(io.StringIO(text))]


def test_only_what_touches_the_area_is_kept() -> None:
    seen: list[tuple[str, int]] = []
    files = restrict_to_area(FEED, BOX, progress=lambda name, rows: seen.append((name, rows)))
    assert _ids(files["stops.txt"], "stop_id") == ["A", "M", "Z"]
    assert _ids(files["trips.txt"], "trip_id") == ["exp1", "loc1", "feed1"]
    assert _ids(files["routes.txt"], "route_id") == ["EXP", "LOC", "FEED"]
    calls = [
        (r["trip_id"], r["stop_id"]) for r in csv.DictReader(io.StringIO(files["stop_times.txt"]))
    ]
    assert ("feed1", "Y") not in calls and ("feed1", "Z") in calls
    assert ("nof1", "Y") not in calls
    assert _ids(files["fare_rules.txt"], "route_id") == ["EXP", "LOC", "FEED", "FEED"]
    assert "agency.txt" in files and "calendar.txt" in files
    assert ("stop_times.txt", 9) in seen  # progress: every row of the feed was read
    parse_gtfs(files)  # the ordinary import takes it


def test_a_calendar_only_fares_v2_timeframes_name_is_kept(tmp_path: Path) -> None:
    # WD runs no trip: only timeframes.txt names it, and the import needs it to read them.
    feed = tmp_path / "feed"
    feed.mkdir()
    for source in FEED.with_name("gtfs_fares_v2").iterdir():
        (feed / source.name).write_text(source.read_text())
    (feed / "calendar.txt").write_text(
        (feed / "calendar.txt").read_text() + "WD,1,1,1,1,1,0,0,20260101,20261231\n"
    )
    (feed / "timeframes.txt").write_text(
        "timeframe_group_id,start_time,end_time,service_id\npeak,07:00:00,09:30:00,WD\n"
    )
    files = restrict_to_area(feed, BOX)
    assert _ids(files["calendar.txt"], "service_id") == ["ALL", "WD"]
    assert _ids(files["timeframes.txt"], "service_id") == ["WD"]


def test_fares_v2_follow_the_area() -> None:
    files = restrict_to_area(FEED.with_name("gtfs_fares_v2"), BOX)
    assert _ids(files["stop_areas.txt"], "stop_id") == ["A", "M", "Z"]  # Y lies outside
    assert _ids(files["route_networks.txt"], "route_id") == ["EXP", "LOC", "FEED"]
    assert _ids(files["fare_products.txt"], "fare_product_id")[0] == "city_single"
    assert "fare_leg_rules.txt" in files and "fare_transfer_rules.txt" in files
    fares = read_feed_fares_v2(parse_gtfs(files))  # no area names a stop left out
    assert fares.stop_areas == {
        "A": frozenset({"inner"}),
        "M": frozenset({"inner"}),
        "Z": frozenset({"outer"}),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2.2,48.8,2.3", "is not four numbers", id="three"),
        pytest.param("2.3,48.8,2.2,48.9", "is not a box on Earth", id="inverted"),
        pytest.param("2.2,98,2.3,99", "is not a box on Earth", id="off-earth"),
        pytest.param("a,b,c,d", "is not four numbers", id="words"),
    ],
)
def test_a_bad_box_says_what_is_accepted(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput, match=expected) as caught:
        parse_bbox(text)
    assert "min_lon,min_lat,max_lon,max_lat" in str(caught.value)


def test_a_box_with_no_stop_imports_nothing() -> None:
    with pytest.raises(InvalidInput, match="no stop lies in the box"):
        restrict_to_area(FEED, BoundingBox(10.0, 10.0, 11.0, 11.0))


def test_memory_follows_the_area_not_the_feed(tmp_path: Path) -> None:
    # 2,000 trips of 100 stops, 200,000 stop times (about 9 MB); one trip calls in the box.
    archive = tmp_path / "large.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name in ("agency.txt", "calendar.txt", "routes.txt"):
            zipped.write(FEED / name, name)
        stops = ["stop_id,stop_name,stop_lat,stop_lon"]
        stops += [f"s{i},S{i},{47.0 + i * 0.001:.4f},2.0" for i in range(100)]
        stops.append("in,Inside,48.8200,2.2600")
        zipped.writestr("stops.txt", "\n".join(stops) + "\n")
        zipped.writestr(
            "trips.txt",
            "route_id,service_id,trip_id\n" + "".join(f"LOC,ALL,t{k}\n" for k in range(2000)),
        )
        with zipped.open("stop_times.txt", "w") as raw, io.TextIOWrapper(raw) as out:
            out.write("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n")
            for k in range(2000):
                for i in range(100):
                    stop = "in" if (k, i) in ((7, 0), (7, 1)) else f"s{i}"
                    clock = f"08:{i // 60:02d}:{i % 60:02d}"
                    out.write(f"t{k},{clock},{clock},{stop},{i}\n")
        size = zipped.getinfo("stop_times.txt").file_size
    tracemalloc.start()
    try:
        files = restrict_to_area(archive, BOX)
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert _ids(files["trips.txt"], "trip_id") == ["t7"]
    assert len(_ids(files["stop_times.txt"], "trip_id")) == 2
    assert peak_bytes < size / 10, (peak_bytes, size)
