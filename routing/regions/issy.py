"""Issy-les-Moulineaux as the engine needs to know it: its box, its clock, its streets online.

Everything else in :mod:`routing` is generic; what is Issy's own is named here once:

- :data:`ISSY_BOX`: the commune's bounding box (OSM relation 85527, from the Nominatim
  boundary in the shared data), the one definition every Issy-specific box starts from;
- :data:`TIMEZONE`: the wall clock of Issy's timetables (a GTFS service day starts at local
  midnight);
- :func:`download_issy_osm`: Issy's tagged streets from Overpass, with a margin so trips that
  leave the commune briefly (quais, Paris 15e, Vanves) still route.

Issy's default traffic demand model lives beside this module, in
:mod:`routing.regions.issy_demand`.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from routing.geometry import BoundingBox
from routing.street.readers.download import download_osm_streets

__all__ = ["ISSY_BOX", "TIMEZONE", "download_issy_osm"]

ISSY_BOX = BoundingBox(min_lat=48.8133, min_lon=2.2357, max_lat=48.8346, max_lon=2.2894)
TIMEZONE = ZoneInfo("Europe/Paris")


def download_issy_osm(cache_dir: Path, *, margin_m: float = 1000) -> Path:
    """Download Issy's streets (all highway ways, all tags) from Overpass, once.

    Parameters
    ----------
    cache_dir
        Folder for the cached reply; created when missing.
    margin_m
        Margin around the commune's bounding box, in metres.

    Returns
    -------
    pathlib.Path
        The cached Overpass JSON (``.json.gz``), ready for
        :func:`routing.street.readers.osm.street_graphs_from_file`. A cached file is returned
        without touching the network.

    Raises
    ------
    NoStreetNetworkError
        Nothing is cached and Overpass cannot be reached or answers without streets.
    """
    return download_osm_streets(ISSY_BOX, "Issy", cache_dir, margin_m=margin_m)
