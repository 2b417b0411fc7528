"""Download a place's streets from Overpass, with every tag the mode rules need, and cache it.

The reply is cached as gzipped Overpass JSON, which :func:`~routing.street.readers.osm.
street_graphs_from_file` reads like any local extract; a cached reply is returned without
touching the network, so the product works offline once it has downloaded its city.
"""

from __future__ import annotations

import gzip
import json
import math
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import osmnx as ox

from routing.errors import NoStreetNetworkError
from routing.geometry import BoundingBox
from routing.street.readers.topology import report

__all__ = ["download_osm_streets"]

_EARTH_M_PER_DEG_LAT = 111_320.0


def _bbox_with_margin(box: BoundingBox, margin_m: float) -> tuple[float, float, float, float]:
    west, south, east, north = box.min_lon, box.min_lat, box.max_lon, box.max_lat
    dlat = margin_m / _EARTH_M_PER_DEG_LAT
    dlon = margin_m / (_EARTH_M_PER_DEG_LAT * math.cos(math.radians((south + north) / 2)))
    return west - dlon, south - dlat, east + dlon, north + dlat


def _overpass_query(bbox: tuple[float, float, float, float]) -> str:
    west, south, east, north = bbox
    timeout_s = int(ox.settings.requests_timeout)
    # Every highway way with all its tags, and its nodes: the rules in routing.street.modes need
    # the access and cycling tags that osmnx's own graph download would drop.
    return (
        f"[out:json][timeout:{timeout_s}];"
        f'(way["highway"]({south:.6f},{west:.6f},{north:.6f},{east:.6f});>;);out body;'
    )


def _fetch_overpass(query: str) -> bytes:
    url = str(ox.settings.overpass_url).rstrip("/") + "/interpreter"
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"data": query}).encode(),
        headers={"User-Agent": str(ox.settings.http_user_agent)},
    )
    with urllib.request.urlopen(request, timeout=ox.settings.requests_timeout) as reply:
        body: bytes = reply.read()
    return body


def download_osm_streets(
    box: BoundingBox, place: str, cache_dir: Path, *, margin_m: float = 1000
) -> Path:
    """Download a place's streets (all highway ways, all tags) from Overpass, once.

    Parameters
    ----------
    box
        The place's bounding box (:data:`routing.regions.issy.ISSY_BOX` for Issy).
    place
        Its name, for messages and the cache file's name.
    cache_dir
        Folder for the cached reply; created when missing.
    margin_m
        Margin around the bounding box, in metres.

    Returns
    -------
    pathlib.Path
        The cached Overpass JSON (``.json.gz``), ready for :func:`street_graphs_from_file`.
        A cached file is returned without touching the network.

    Raises
    ------
    NoStreetNetworkError
        Nothing is cached and Overpass cannot be reached or answers without streets.
    """
    if not 0 <= margin_m <= 20_000:
        raise ValueError(f"margin_m={margin_m!r} is out of range; accepted: 0 to 20000 m")
    cache_dir = Path(cache_dir)
    target = cache_dir / f"{place.lower()}_streets_overpass_margin{int(margin_m)}m.json.gz"
    if target.is_file() and target.stat().st_size > 0:
        return target
    query = _overpass_query(_bbox_with_margin(box, margin_m))
    report(None, f"downloading {place} streets from Overpass ({query})")
    try:
        body = _fetch_overpass(query)
        elements = json.loads(body).get("elements")
    except (urllib.error.URLError, OSError, ValueError, AttributeError) as exc:
        raise NoStreetNetworkError(
            f"cannot download {place}'s streets from {ox.settings.overpass_url} ({exc}) and "
            f"nothing is cached at {target}; pass a local OSM file instead"
        ) from exc
    if not elements:
        raise NoStreetNetworkError(
            f"Overpass answered without streets for {place}; nothing cached at {target}"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(gzip.compress(body))
    partial.replace(target)  # a crash mid-write never leaves a truncated cache behind
    return target
