"""Small geographic helpers: distances on the sphere and a local metric plane around Issy.

The catalogue covers a few tens of kilometres, so an equirectangular projection centred on
Issy is accurate to well under a percent, and lets shapely measure in metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = [
    "ISSY_LAT",
    "ISSY_LON",
    "BBox",
    "circle_bbox",
    "haversine_m",
    "to_local_metres",
]

ISSY_LAT = 48.8245
ISSY_LON = 2.2700
EARTH_RADIUS_M = 6_371_008.8
_M_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180
_M_PER_DEG_LON = _M_PER_DEG_LAT * math.cos(math.radians(ISSY_LAT))


@dataclass(frozen=True, slots=True)
class BBox:
    """A WGS 84 bounding box in degrees."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside (edges included)."""
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS 84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def circle_bbox(lat: float, lon: float, radius_m: float) -> BBox:
    """The bounding box of a circle, for a coarse SQL filter before the exact test."""
    dlat = radius_m / _M_PER_DEG_LAT
    dlon = radius_m / (_M_PER_DEG_LAT * max(0.01, math.cos(math.radians(lat))))
    return BBox(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def to_local_metres(geometry: BaseGeometry) -> BaseGeometry:
    """Project a lon/lat geometry to metres on a plane tangent at Issy."""

    origin = np.array([ISSY_LON, ISSY_LAT])
    scale = np.array([_M_PER_DEG_LON, _M_PER_DEG_LAT])
    return shapely.transform(geometry, lambda coords: (coords - origin) * scale)
