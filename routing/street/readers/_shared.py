"""What the two street readers share: opening a (compressed) text file, lanes, graph attributes.

Used by :mod:`routing.street.readers.osm` (OSM ways) and :mod:`routing.street.readers.graphml`
(osmnx GraphML).
"""

from __future__ import annotations

import bz2
import gzip
from collections.abc import Iterable, Mapping
from typing import IO, Any

from routing.street.modes import Mode
from routing.street.readers.sources import StreetSource


def _graph_attrs(
    mode: Mode, source: str, *, oneway_known: bool, warnings: Iterable[str]
) -> dict[str, Any]:
    """The graph-level attributes every street graph carries (the compiler reads them)."""
    return {
        "crs": "epsg:4326",
        "mode": mode.value,
        "source": source,
        "oneway_known": oneway_known,
        "warnings": list(warnings),
    }


def _open_text(source: StreetSource) -> IO[str]:
    if source.compression == "gz":
        return gzip.open(source.path, "rt", encoding="utf-8")
    if source.compression == "bz2":
        return bz2.open(source.path, "rt", encoding="utf-8")
    return source.path.open("r", encoding="utf-8")


def _lanes(value: str | None) -> float | None:
    try:
        lanes = float(str(value).split(";")[0])
    except (TypeError, ValueError):
        return None
    return lanes if 0 < lanes <= 12 else None


def lanes_per_direction(
    tags: Mapping[str, str], two_way: bool
) -> tuple[float | None, float | None]:
    """Lanes in each direction of a way (None when unknown), as traffic capacity needs.

    ``lanes:forward``/``lanes:backward`` when tagged; else ``lanes`` split evenly on a two-way
    street (OSM counts both directions there), or all of them on a one-way street.
    """
    total = _lanes(tags.get("lanes"))
    forward = _lanes(tags.get("lanes:forward"))
    backward = _lanes(tags.get("lanes:backward"))
    if total is not None and two_way:
        forward = forward if forward is not None else max(1.0, total / 2)
        backward = backward if backward is not None else max(1.0, total / 2)
    elif total is not None:
        forward = forward if forward is not None else total
        backward = backward if backward is not None else total
    return forward, backward
