"""Distances, bearings and coordinate validation."""

from __future__ import annotations

import math
import re

import pytest

from routing.errors import InvalidCoordinateError
from routing.geometry import (
    BoundingBox,
    LocalProjection,
    bearing_deg,
    haversine_m,
    validate_coordinate,
)

ISSY = BoundingBox(48.81, 2.23, 48.84, 2.29)


def test_haversine_one_degree_of_latitude() -> None:
    assert haversine_m(48.0, 2.0, 49.0, 2.0) == pytest.approx(111_195, rel=1e-4)


def test_bearings_point_the_compass() -> None:
    assert bearing_deg(48.82, 2.26, 48.83, 2.26) == pytest.approx(0.0, abs=1e-6)
    assert bearing_deg(48.82, 2.26, 48.82, 2.27) == pytest.approx(90.0, abs=0.01)
    assert bearing_deg(48.82, 2.26, 48.81, 2.26) == pytest.approx(180.0, abs=1e-6)


def test_local_projection_round_trips_and_measures_metres() -> None:
    import numpy as np

    projection = LocalProjection(48.8245, 2.27)
    x, y = projection.to_xy(np.array([48.8345]), np.array([2.28]))
    lat, lon = projection.to_latlon(x, y)
    assert (lat[0], lon[0]) == pytest.approx((48.8345, 2.28))
    straight = math.hypot(x[0], y[0])
    assert straight == pytest.approx(haversine_m(48.8245, 2.27, 48.8345, 2.28), rel=1e-3)


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        pytest.param(float("nan"), 2.27, "not finite", id="nan"),
        pytest.param(48.82, float("inf"), "not finite", id="infinite"),
        pytest.param(91.0, 2.27, "out of range", id="latitude-beyond-pole"),
        pytest.param(48.82, 181.0, "out of range", id="longitude-beyond-antimeridian"),
        pytest.param("north", 2.27, "not a pair of numbers", id="text"),
        pytest.param(2.27, 48.82, "looks like (longitude, latitude)", id="swapped"),
    ],
)
def test_bad_coordinates_name_the_value(lat: object, lon: object, message: str) -> None:
    with pytest.raises(InvalidCoordinateError, match=re.escape(message)):
        validate_coordinate(lat, lon, name="origin", bbox=ISSY)  # type: ignore[arg-type]


def test_valid_coordinate_passes() -> None:
    assert validate_coordinate(48.8245, 2.27, bbox=ISSY) == (48.8245, 2.27)
