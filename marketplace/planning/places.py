"""Place search for the trip planner's inputs, and the street map the web client draws.

Place search looks through street names of the loaded network and the stations of published
services, accent- and case-insensitively, best matches first (prefix before substring,
shorter names first). The street map is the network's own centrelines as GeoJSON, so the map
is readable with no tile server.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np

from marketplace.catalogue.published import ServiceView
from routing.street.graph import CompactGraph

__all__ = ["MAX_MAP_FEATURES", "PlaceHit", "search_places", "street_map"]

MAX_MAP_FEATURES = 60_000


@dataclass(frozen=True, slots=True)
class PlaceHit:
    label: str
    kind: str  # street | station | stop | address
    lat: float
    lon: float
    station_id: int | None = None


def fold(text: str) -> str:
    """Lower case without accents: "Général" and "general" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=8)
def _street_index(graph: CompactGraph) -> tuple[tuple[str, str, float, float], ...]:
    """(folded name, name, lat, lon) per street name: the middle of its longest edge."""
    best: dict[int, tuple[float, int]] = {}
    for edge in np.flatnonzero(graph.name_index >= 0).tolist():
        name = int(graph.name_index[edge])
        length = float(graph.length_m[edge])
        if name not in best or length > best[name][0]:
            best[name] = (length, edge)
    entries = []
    for name, (_, longest) in best.items():
        lat, lon = graph.edge_polyline(longest)
        middle = len(lat) // 2
        if len(lat) == 2:
            point = ((lat[0] + lat[1]) / 2, (lon[0] + lon[1]) / 2)
        else:
            point = (lat[middle], lon[middle])
        label = str(graph.names[name])
        entries.append((fold(label), label, float(point[0]), float(point[1])))
    return tuple(entries)


def search_places(
    text: str, *, graph: CompactGraph | None, services: list[ServiceView], first: int
) -> list[PlaceHit]:
    """Places whose name contains every word of ``text``, best first."""
    words = fold(text).split()
    if not words:
        return []
    scored: list[tuple[tuple[int, int, str], PlaceHit]] = []

    def consider(label: str, folded: str, hit: PlaceHit) -> None:
        if all(w in folded for w in words):
            rank = 0 if folded.startswith(words[0]) or f" {words[0]}" in folded else 1
            scored.append(((rank, len(label), label), hit))

    for service in services:
        for station in service.stations:
            kind = "stop" if station.kind.value == "stop" else "station"
            label = f"{station.name} ({service.name})"
            consider(
                label,
                fold(label),
                PlaceHit(label, kind, station.lat, station.lon, station_id=station.id),
            )
    if graph is not None:
        for folded, label, lat, lon in _street_index(graph):
            consider(label, folded, PlaceHit(label, "street", lat, lon))
    scored.sort(key=lambda item: item[0])
    seen: set[tuple[str, str]] = set()
    hits = []
    for _, hit in scored:
        if (hit.kind, hit.label) in seen:
            continue
        seen.add((hit.kind, hit.label))
        hits.append(hit)
        if len(hits) == first:
            break
    return hits


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
