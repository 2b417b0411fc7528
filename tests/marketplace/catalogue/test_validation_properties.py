"""Property tests of coordinates and polygons: any numbers, any JSON, an answer or a typed
refusal, and what is accepted lies near Issy."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.catalogue.geo import ISSY_LAT, ISSY_LON
from marketplace.catalogue.validation import (
    MAX_DISTANCE_FROM_ISSY_M,
    check_coordinates,
    validate_service_area,
)
from marketplace.errors import InvalidInput
from routing.geometry import haversine_m

FAST = settings(max_examples=300, deadline=None)
NEAR_LON = st.floats(2.20, 2.34)
NEAR_LAT = st.floats(48.78, 48.87)
POSITION = st.tuples(NEAR_LON, NEAR_LAT).map(list) | st.lists(st.floats(), max_size=3)


@FAST
@given(lat=st.floats(), lon=st.floats())
def test_coordinates_are_near_issy_or_refused(lat: float, lon: float) -> None:
    try:
        check_coordinates("position", lat, lon)
    except InvalidInput as refused:
        assert "position" in refused.message
        return
    assert math.isfinite(lat) and math.isfinite(lon)
    assert haversine_m(lat, lon, ISSY_LAT, ISSY_LON) <= MAX_DISTANCE_FROM_ISSY_M


@FAST
@given(
    kind=st.sampled_from(["Polygon", "MultiPolygon", "Point", "Feature"]),
    rings=st.lists(st.lists(POSITION, max_size=6), max_size=2),
    close=st.booleans(),
)
def test_polygons_are_valid_closed_and_near_or_refused(
    kind: str, rings: list[list[Any]], close: bool
) -> None:
    if close:
        rings = [ring + ring[:1] for ring in rings]
    coordinates: Any = [rings] if kind == "MultiPolygon" else rings
    document = {"type": kind, "coordinates": coordinates}
    try:
        area = validate_service_area(json.dumps(document))
    except InvalidInput as refused:
        assert refused.message.startswith("serviceArea")
        return
    accepted = json.loads(area.geojson)
    polygons = accepted["coordinates"] if kind == "MultiPolygon" else [accepted["coordinates"]]
    for polygon in polygons:
        for ring in polygon:
            assert len(ring) >= 4 and ring[0] == ring[-1]
            for lon, lat, *_ in ring:
                assert haversine_m(lat, lon, ISSY_LAT, ISSY_LON) <= MAX_DISTANCE_FROM_ISSY_M
