"""Property tests of the feed parsers: whatever text or JSON arrives, the parsers answer
parsed rows or :class:`InvalidInput`, never another exception, and what they keep is in
range."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.catalogue.stations import MAX_STATION_CAPACITY
from marketplace.errors import InvalidInput
from marketplace.ingest.gbfs import parse_gbfs
from marketplace.ingest.gtfs import MAX_HOURS, _seconds
from marketplace.ingest.gtfs_files import REQUIRED_COLUMNS, parse_gtfs

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["data", "stations", "station_id", "name", "lat", "lon", "capacity",
             "num_bikes_available", "num_docks_available", "last_reported", "vehicle_types",
             "plans", "price", "currency", "geofencing_zones", "features"]
        ) | st.text(max_size=6),
        children,
        max_size=6,
    ),
    max_leaves=25,
)  # fmt: skip
FEEDS = st.dictionaries(
    st.sampled_from(
        ["station_information", "station_status", "vehicle_types", "system_pricing_plans",
         "geofencing_zones"]
    ),
    JSON,
    min_size=1,
)  # fmt: skip


@FAST
@given(documents=FEEDS)
def test_gbfs_documents_parse_or_are_refused(documents: dict[str, Any]) -> None:
    try:
        feeds = parse_gbfs(documents)
    except InvalidInput:
        return
    for station in feeds.stations or []:
        assert math.isfinite(station.lat) and math.isfinite(station.lon)
        assert station.capacity is None or 0 <= station.capacity <= MAX_STATION_CAPACITY
    for reading in feeds.status or []:
        for count in (reading.vehicles_available, reading.docks_available):
            assert count is None or count >= 0


@FAST
@given(files=st.dictionaries(st.sampled_from(sorted(REQUIRED_COLUMNS)), st.text(max_size=200)))
def test_any_gtfs_text_parses_or_is_refused(files: dict[str, str]) -> None:
    try:
        feed = parse_gtfs(files)
    except InvalidInput:
        return
    for rows in feed.tables.values():
        for _, row in rows:
            assert all("\n" not in value and "\r" not in value for value in row.values())


CELL = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12)


@FAST
@given(
    rows=st.lists(st.tuples(CELL, CELL, CELL, CELL), max_size=8),
)
def test_gtfs_rows_written_by_a_csv_writer_read_back(rows: list[tuple[str, ...]]) -> None:
    """Quotes, commas and spaces in values survive (values are compared stripped)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REQUIRED_COLUMNS["stops.txt"])
    writer.writerows(rows)
    try:
        feed = parse_gtfs({"stops.txt": buffer.getvalue(), **_minimal_others()})
    except InvalidInput as refused:
        # Only text no database may hold is refused (marketplace.text).
        assert "holds the character" in refused.message
        return
    read = [tuple(row.values()) for _, row in feed.tables["stops.txt"]]
    expected = [tuple(v.strip() for v in row) for row in rows]
    assert read == expected


def _minimal_others() -> dict[str, str]:
    return {
        name: ",".join(columns) + "\n"
        for name, columns in REQUIRED_COLUMNS.items()
        if name != "stops.txt"
    }


@FAST
@given(text=st.text(max_size=12))
def test_gtfs_times_are_in_range_or_refused(text: str) -> None:
    seconds = _seconds(text)
    assert seconds is None or 0 <= seconds < MAX_HOURS * 3600


@FAST
@given(
    hours=st.integers(0, MAX_HOURS - 1),
    minutes=st.integers(0, 59),
    seconds=st.integers(0, 59),
)
def test_gtfs_times_read_back(hours: int, minutes: int, seconds: int) -> None:
    assert _seconds(f"{hours:02d}:{minutes:02d}:{seconds:02d}") == (
        hours * 3600 + minutes * 60 + seconds
    )


@FAST
@given(document=JSON)
def test_gbfs_json_round_trip_never_breaks_the_parser(document: Any) -> None:
    """A row as a partner's JSON encoder writes it (NaN and infinities included) is either
    kept or skipped with a reason, never lost silently."""
    text = json.dumps({"data": {"stations": [document]}})
    feeds = parse_gbfs({"station_status": json.loads(text)})
    assert len(feeds.status or []) + len(feeds.skipped) == 1
    assert all(row.reason for row in feeds.skipped)
