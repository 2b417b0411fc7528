"""The hotspot PNG's words and frame: titled in the reader's language, framed on Issy.

The drawing itself is :func:`routing.traffic.exports.write_hotspot_map`; this module decides
what it says and what it shows. A Grand Paris network drawn whole makes Issy a small blob,
so the map is cropped to the hotspots (with a margin, never smaller than a neighbourhood),
kept to Issy and its edges; with no hotspot it shows Issy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from routing.street.graph import CompactGraph
from routing.traffic.assignment import AssignmentResult
from routing.traffic.exports import Frame, write_hotspot_map
from routing.traffic.hotspots import Hotspot

__all__ = ["ISSY_FRAME", "LANGUAGES", "hotspot_frame", "hotspot_map_title", "write_map"]

ISSY_FRAME: Frame = (2.2325, 48.8115, 2.2915, 48.8375)
"""Issy-les-Moulineaux, west to north, in degrees."""

LANGUAGES = ("fr", "en")
"""The languages the map is written in; French first (the city's own)."""

# Hotspots are shown up to about 1.5 km beyond Issy's edges, never further.
_OUTSKIRTS_DEG = (0.02, 0.0135)
_MIN_SPAN_DEG = (0.02, 0.0135)  # about 1.5 km each way: a readable neighbourhood
_MARGIN = 0.25

_PERIODS = {
    "fr": {
        "morning_peak": "pointe du matin",
        "evening_peak": "pointe du soir",
        "off_peak": "heures creuses",
    },
    "en": {"morning_peak": "morning peak", "evening_peak": "evening peak", "off_peak": "off-peak"},
}
_COLORBAR = {"fr": "volume / capacité", "en": "volume / capacity"}


def hotspot_map_title(
    language: str, *, period: str, hotspots: int, relative_gap: float, converged: bool
) -> str:
    """The map's title in ``language`` (``fr`` or ``en``; anything else reads French)."""
    periods = _PERIODS.get(language, _PERIODS["fr"])
    period_name = periods.get(period, period.replace("_", " "))
    gap = f"{relative_gap:.1e}"
    if language == "en":
        count = f"{hotspots} hotspot" + ("" if hotspots == 1 else "s")
        status = "converged" if converged else "not converged"
        return f"Traffic hotspots, {period_name}: {count}, relative gap {gap} ({status})"
    count = f"{hotspots} point{'' if hotspots <= 1 else 's'} noir{'' if hotspots <= 1 else 's'}"
    status = "convergé" if converged else "non convergé"
    return (
        f"Points noirs du trafic, {period_name} : {count}, écart relatif "
        f"{gap.replace('.', ',')} ({status})"
    )


def hotspot_frame(graph: CompactGraph, hotspots: Sequence[Hotspot]) -> Frame:
    """The area to draw: the hotspots near Issy with a margin, else Issy itself."""
    west, south, east, north = ISSY_FRAME
    nodes = np.array(sorted({n for h in hotspots for n in h.nodes}), np.int64)
    if nodes.size:
        lon, lat = graph.node_lon[nodes], graph.node_lat[nodes]
        near = (
            (lon >= west - _OUTSKIRTS_DEG[0])
            & (lon <= east + _OUTSKIRTS_DEG[0])
            & (lat >= south - _OUTSKIRTS_DEG[1])
            & (lat <= north + _OUTSKIRTS_DEG[1])
        )
        if near.any():
            lon, lat = lon[near], lat[near]
            return _padded(float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    return ISSY_FRAME


def _padded(west: float, south: float, east: float, north: float) -> Frame:
    half_lon = max((east - west) * (1 + 2 * _MARGIN), _MIN_SPAN_DEG[0]) / 2
    half_lat = max((north - south) * (1 + 2 * _MARGIN), _MIN_SPAN_DEG[1]) / 2
    mid_lon, mid_lat = (west + east) / 2, (south + north) / 2
    return (mid_lon - half_lon, mid_lat - half_lat, mid_lon + half_lon, mid_lat + half_lat)


def write_map(
    path: Path,
    graph: CompactGraph,
    result: AssignmentResult,
    hotspots: Sequence[Hotspot],
    *,
    period: str,
    language: str,
) -> Path:
    """The hotspot PNG at ``path``, titled in ``language`` and framed by :func:`hotspot_frame`."""
    title = hotspot_map_title(
        language,
        period=period,
        hotspots=len(hotspots),
        relative_gap=result.relative_gap,
        converged=result.converged,
    )
    return write_hotspot_map(
        path,
        graph,
        result,
        hotspots,
        period=period,
        title=title,
        frame=hotspot_frame(graph, hotspots),
        colorbar_label=_COLORBAR.get(language, _COLORBAR["fr"]),
    )
