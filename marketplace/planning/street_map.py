"""The street map the web client draws: the network's own centrelines as GeoJSON, so the map
is readable with no tile server."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from routing.street.graph import CompactGraph

__all__ = ["MAX_MAP_FEATURES", "street_map"]

MAX_MAP_FEATURES = 60_000


def street_map(
    graph: CompactGraph, bbox: tuple[float, float, float, float] | None
) -> dict[str, Any]:
    """Street centrelines inside ``bbox`` (west, south, east, north) as a FeatureCollection.

    Each two-way street appears once. Raises ``ValueError`` when the answer would exceed
    :data:`MAX_MAP_FEATURES` (ask for a smaller box).
    """
    tails, heads = graph.tails, graph.heads
    keep = (tails < heads) | ~_has_reverse(graph)
    if bbox is not None:
        west, south, east, north = bbox
        lat, lon = graph.node_lat, graph.node_lon
        inside = (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
        keep &= inside[tails] | inside[heads]
    edges = np.flatnonzero(keep)
    if edges.size > MAX_MAP_FEATURES:
        raise ValueError(
            f"{edges.size} street segments in that area; accepted: at most {MAX_MAP_FEATURES} "
            "(ask for a smaller bbox)"
        )
    features = []
    for edge in edges.tolist():
        lat, lon = graph.edge_polyline(edge)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        [round(x, 6), round(y, 6)]
                        for x, y in zip(lon.tolist(), lat.tolist(), strict=True)
                    ],
                },
                "properties": {"name": graph.edge_name(edge), "highway": graph.edge_highway(edge)},
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "attribution": "© OpenStreetMap contributors (ODbL)",
    }


@functools.lru_cache(maxsize=8)
def _reverse_mask(graph: CompactGraph) -> np.ndarray:
    pairs = graph.tails.astype(np.int64) * graph.node_count + graph.heads
    reverse = graph.heads.astype(np.int64) * graph.node_count + graph.tails
    return np.isin(reverse, pairs)


def _has_reverse(graph: CompactGraph) -> np.ndarray:
    return _reverse_mask(graph)
