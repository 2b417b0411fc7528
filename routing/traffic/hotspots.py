"""Traffic hotspots: connected clusters of congested street segments, ranked by delay.

A segment is congested when its volume/capacity ratio exceeds a threshold. Congested segments
that share a node (an intersection, or the two directions of one street) form one hotspot:
queues spill back across a junction, so planners treat them as one problem. Hotspots are
ranked by their total delay in vehicle-hours, which weighs how bad and how busy at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from routing.geometry import haversine_m
from routing.street.graph import CompactGraph
from routing.traffic.assignment import AssignmentResult
from routing.traffic.segments import SharedSegments

__all__ = ["DEFAULT_MIN_VOLUME_CAPACITY", "Hotspot", "find_hotspots", "hotspot_radius_m"]

# Above 0.9 the BPR delay grows fast and small disturbances turn into queues.
DEFAULT_MIN_VOLUME_CAPACITY = 0.9


@dataclass(frozen=True, slots=True)
class Hotspot:
    """One cluster of congested segments (edges of the compact graph)."""

    rank: int
    """1 for the hotspot with the most delay."""
    edges: tuple[int, ...]
    """Edge indices, most delay first."""
    nodes: tuple[int, ...]
    """Node indices (intersections) the segments touch."""
    street_names: tuple[str, ...]
    """Named streets, the one with most delay first; unnamed segments add nothing here."""
    centroid_lat: float
    centroid_lon: float
    """Length-weighted centre of the segments' midpoints."""
    total_delay_veh_h: float
    max_volume_capacity: float
    length_m: float
    """Total length of the segments (both directions of a street count twice)."""
    volume_veh_h: float
    """Largest volume on one segment."""
    period: str | None = None


def find_hotspots(
    graph: CompactGraph,
    result: AssignmentResult,
    *,
    min_volume_capacity: float = DEFAULT_MIN_VOLUME_CAPACITY,
    min_delay_veh_h: float = 0.0,
    limit: int | None = None,
    period: str | None = None,
) -> list[Hotspot]:
    """Cluster the congested segments of an assignment on ``graph`` and rank the clusters.

    Parameters
    ----------
    graph
        The compact drive graph the assignment ran on (its edges in the same order).
    result
        The assignment's volumes and delays per edge.
    min_volume_capacity
        Segments with volume/capacity strictly above this are congested.
    min_delay_veh_h
        Hotspots whose total delay is below this are left out.
    limit
        Keep only this many hotspots, most delay first.
    period
        The demand period the assignment stands for, copied into each hotspot.

    Raises
    ------
    ValueError
        When the result's arrays do not match the graph's edges, or the limits are negative.
    """
    if result.volume_veh_h.shape != (graph.edge_count,):
        raise ValueError(
            f"the assignment has {result.volume_veh_h.shape[0]} edges but the graph "
            f"{graph.edge_count}; pass the graph the assignment ran on"
        )
    if min_volume_capacity < 0 or min_delay_veh_h < 0 or (limit is not None and limit < 0):
        raise ValueError(
            f"min_volume_capacity={min_volume_capacity}, min_delay_veh_h={min_delay_veh_h}, "
            f"limit={limit}; accepted: values >= 0"
        )
    congested = np.flatnonzero(result.volume_capacity_ratio > min_volume_capacity)
    if congested.size == 0:
        return []
    tails = graph.tails[congested].astype(np.int64)
    heads = graph.heads[congested].astype(np.int64)
    labels = _cluster_labels(tails, heads, graph.node_count)
    clusters = [congested[labels == label] for label in np.unique(labels)]
    totals = np.array([result.delay_veh_h[edges].sum() for edges in clusters])
    shared = SharedSegments.of(graph)
    hotspots: list[Hotspot] = []
    for index in np.argsort(-totals, kind="stable"):
        if totals[index] < min_delay_veh_h or (limit is not None and len(hotspots) >= limit):
            break
        hotspots.append(_hotspot(graph, result, clusters[index], len(hotspots) + 1, period, shared))
    return hotspots


def _cluster_labels(
    tails: NDArray[np.int64], heads: NDArray[np.int64], node_count: int
) -> NDArray[np.int64]:
    """Per congested segment, the label of its connected cluster (segments sharing a node)."""
    # Components of the graph whose vertices are the nodes the congested segments touch:
    # two segments fall together exactly when a chain of shared nodes links them.
    ones = np.ones(tails.shape[0])
    adjacency = coo_matrix((ones, (tails, heads)), shape=(node_count, node_count)).tocsr()
    _, node_label = connected_components(adjacency, directed=False)
    labels: NDArray[np.int64] = node_label[tails].astype(np.int64)
    return labels


def _hotspot(
    graph: CompactGraph,
    result: AssignmentResult,
    edges: NDArray[np.int64],
    rank: int,
    period: str | None,
    shared: SharedSegments | None = None,
) -> Hotspot:
    total_delay_veh_h = float(result.delay_veh_h[edges].sum())
    volume: NDArray[np.float64] = result.volume_veh_h
    if shared is not None:
        # Copies of one segment (turn costs) are one street: its volume is theirs together,
        # and it is listed, measured and named once, by its copy with the most delay.
        by_segment = np.bincount(
            shared.segment[edges], weights=result.volume_veh_h[edges], minlength=shared.count
        )
        volume = by_segment[shared.segment].astype(np.float64)
        ordered = edges[np.argsort(-result.delay_veh_h[edges], kind="stable")]
        _, first = np.unique(shared.segment[ordered], return_index=True)
        edges = ordered[np.sort(first)]
    delay = result.delay_veh_h[edges]
    edges = edges[np.argsort(-delay, kind="stable")]
    tails, heads = graph.tails[edges], graph.heads[edges]
    mid_lat = (graph.node_lat[tails] + graph.node_lat[heads]) / 2
    mid_lon = (graph.node_lon[tails] + graph.node_lon[heads]) / 2
    length_m = graph.length_m[edges]
    # Zero-length segments (rare, at merged junctions) would otherwise divide by zero.
    weights = length_m if length_m.sum() > 0 else np.ones_like(length_m)
    return Hotspot(
        rank=rank,
        edges=tuple(int(e) for e in edges),
        nodes=tuple(sorted({int(n) for n in (*tails, *heads)})),
        street_names=_names_by_delay(graph, edges),
        centroid_lat=float(np.average(mid_lat, weights=weights)),
        centroid_lon=float(np.average(mid_lon, weights=weights)),
        total_delay_veh_h=total_delay_veh_h,
        max_volume_capacity=float(result.volume_capacity_ratio[edges].max()),
        length_m=float(length_m.sum()),
        volume_veh_h=float(volume[edges].max()),
        period=period,
    )


def _names_by_delay(graph: CompactGraph, edges: NDArray[np.int64]) -> tuple[str, ...]:
    names: list[str] = []
    for edge in edges:  # already in order of delay
        name = graph.edge_name(int(edge))
        if name is not None and name not in names:
            names.append(name)
    return tuple(names)


def hotspot_radius_m(graph: CompactGraph, hotspot: Hotspot) -> float:
    """Distance from a hotspot's centroid to its farthest node: a circle to draw it on a map."""
    nodes = np.array(hotspot.nodes, np.int64)
    distances = haversine_m(
        hotspot.centroid_lat, hotspot.centroid_lon, graph.node_lat[nodes], graph.node_lon[nodes]
    )
    return float(np.max(distances))
