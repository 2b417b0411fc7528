"""Geodesy on small areas: distances, bearings, a local metric projection, coordinate checks.

A city spans a few tens of kilometres, so an equirectangular projection around the network's
centre keeps errors well under a metre per kilometre; it is what snapping and isochrones use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.errors import InvalidCoordinateError

__all__ = [
    "EARTH_RADIUS_M",
    "BoundingBox",
    "LocalProjection",
    "bearing_deg",
    "encode_polyline",
    "haversine_m",
    "validate_coordinate",
]

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(
    lat1: NDArray[np.float64] | float,
    lon1: NDArray[np.float64] | float,
    lat2: NDArray[np.float64] | float,
    lon2: NDArray[np.float64] | float,
) -> NDArray[np.float64] | float:
    """Great-circle distance in metres between points given in degrees (vectorised)."""
    phi1 = np.radians(lat1)
    phi2 = np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    result = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(result) if np.ndim(result) == 0 else result


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial compass bearing from point 1 to point 2, degrees clockwise from north in [0, 360)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlmb = math.radians(lon2 - lon1)
    y = math.sin(dlmb) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlmb)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A latitude/longitude box in degrees."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, lat: float, lon: float, margin_deg: float = 0.0) -> bool:
        return (
            self.min_lat - margin_deg <= lat <= self.max_lat + margin_deg
            and self.min_lon - margin_deg <= lon <= self.max_lon + margin_deg
        )

    def as_list(self) -> list[float]:
        """GeoJSON order: west, south, east, north."""
        return [self.min_lon, self.min_lat, self.max_lon, self.max_lat]


@dataclass(frozen=True, slots=True)
class LocalProjection:
    """Equirectangular projection to metres around a reference point."""

    lat0: float
    lon0: float

    @property
    def _kx(self) -> float:
        return math.radians(1.0) * EARTH_RADIUS_M * math.cos(math.radians(self.lat0))

    @property
    def _ky(self) -> float:
        return math.radians(1.0) * EARTH_RADIUS_M

    def to_xy(
        self, lat: NDArray[np.float64], lon: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        return (np.asarray(lon) - self.lon0) * self._kx, (np.asarray(lat) - self.lat0) * self._ky

    def to_latlon(
        self, x: NDArray[np.float64], y: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        return np.asarray(y) / self._ky + self.lat0, np.asarray(x) / self._kx + self.lon0


def validate_coordinate(
    lat: float, lon: float, *, name: str = "coordinate", bbox: BoundingBox | None = None
) -> tuple[float, float]:
    """Check a (lat, lon) pair and return it as floats.

    Raises
    ------
    InvalidCoordinateError
        When a value is not a finite number, is out of range, or when the pair lies outside
        ``bbox`` while the swapped pair lies inside it (the usual lon/lat mix-up).
    """
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        raise InvalidCoordinateError(
            f"{name} ({lat!r}, {lon!r}) is not a pair of numbers; "
            "accepted: latitude and longitude in decimal degrees"
        ) from None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        raise InvalidCoordinateError(
            f"{name} ({lat_f}, {lon_f}) is not finite; accepted: latitude in [-90, 90] "
            "and longitude in [-180, 180]"
        )
    if not (-90.0 <= lat_f <= 90.0 and -180.0 <= lon_f <= 180.0):
        raise InvalidCoordinateError(
            f"{name} ({lat_f}, {lon_f}) is out of range; accepted: latitude in [-90, 90] "
            "and longitude in [-180, 180]"
        )
    if (
        bbox is not None
        and not bbox.contains(lat_f, lon_f, margin_deg=0.05)
        and bbox.contains(lon_f, lat_f, margin_deg=0.05)
    ):
        raise InvalidCoordinateError(
            f"{name} ({lat_f}, {lon_f}) looks like (longitude, latitude): the street network "
            f"lies around ({(bbox.min_lat + bbox.max_lat) / 2:.4f}, "
            f"{(bbox.min_lon + bbox.max_lon) / 2:.4f}); give latitude first"
        )
    return lat_f, lon_f


def encode_polyline(lat: NDArray[np.float64], lon: NDArray[np.float64], precision: int = 5) -> str:
    """Google's encoded polyline of the points (``lat[i]``, ``lon[i]``), computed on arrays.

    The same string as the ``polyline`` package's ``encode`` (its Python 2 rounding: halves
    away from zero), which loops in Python per point and digit: a plan's five itineraries'
    lines cost more to encode that way than to route.
    """
    lat = np.asarray(lat, np.float64)
    lon = np.asarray(lon, np.float64)
    if lat.shape != lon.shape or lat.ndim != 1:
        raise ValueError(
            f"encode_polyline needs two 1-D arrays of one length, got {lat.shape} and {lon.shape}"
        )
    if lat.size == 0:
        return ""
    factor = int(10**precision)
    scaled = np.column_stack([lat, lon]) * factor
    rounded = (np.copysign(np.floor(np.abs(scaled) + 0.5), scaled)).astype(np.int64)
    deltas = np.diff(rounded, axis=0, prepend=np.zeros((1, 2), np.int64)).ravel()
    # Zig-zag: the sign into the lowest bit, then 5-bit chunks, lowest first, 0x20 = "more".
    values = np.where(deltas < 0, ~(deltas << 1), deltas << 1)
    chunks = 1
    while (values >> (5 * chunks)).any():
        chunks += 1
    shifts = 5 * np.arange(chunks, dtype=np.int64)
    parts = (values[:, None] >> shifts) & 0x1F
    present = np.ones_like(parts, dtype=np.bool_)
    present[:, 1:] = (values[:, None] >> shifts[1:]) > 0
    more = np.zeros_like(present)
    more[:, :-1] = present[:, 1:]
    codes = (parts | np.where(more, 0x20, 0)) + 63
    return codes[present].astype(np.uint8).tobytes().decode("ascii")
