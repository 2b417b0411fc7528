"""Snap a coordinate to the nearest point on the nearest usable street edge.

Snapping to edges rather than nodes matters on long blocks: the nearest node of a point in the
middle of a 300 m street is 150 m away, the street itself a few metres. Both directed edges of
a two-way street share one geometry, so a snap keeps every edge within a small tolerance of
the nearest: the search may then leave the point in either direction.

When the nearest street is a piece cut off from the network (a one-way stub at the extract's
border, an island), the snap also offers the nearest connected street, with the straight
connector to it as ``EdgePosition.connector_m``: the router counts that connector in the
route's distance and time, so leaving the piece is never a free leap. Two points on the same
cut-off piece are routed along the piece or not at all (:func:`drop_shared_fallbacks`):
crossing to the network and back is no route.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from routing.errors import LocationOutsideNetworkError
from routing.geometry import LocalProjection, validate_coordinate
from routing.street.graph import CompactGraph

__all__ = [
    "DEFAULT_MAX_SNAP_DISTANCE_M",
    "EdgePosition",
    "Snap",
    "Snapper",
    "drop_shared_fallbacks",
]

DEFAULT_MAX_SNAP_DISTANCE_M = 500.0
# Edges whose distance is within this of the nearest one count as equally near (same street,
# other direction, or a crossing exactly at the point).
_TIE_TOLERANCE_M = 0.5


@dataclass(frozen=True, slots=True)
class EdgePosition:
    """A point on a directed edge: ``fraction`` of its geometric length from the tail.

    ``connector_m`` is the straight distance a route must count to reach this point from the
    asked coordinate: 0 on the nearest street (the usual snap, not travelled), the whole gap
    on a connected street offered because the nearest one is a cut-off piece.
    """

    edge: int
    fraction: float
    connector_m: float = 0.0


@dataclass(frozen=True, slots=True)
class Snap:
    """Where a coordinate meets the network.

    ``lat``, ``lon`` and ``distance_m`` describe the nearest street. ``piece`` numbers the
    cut-off piece that street belongs to (-1: it is on the connected network); a snap on a
    piece with no position of ``connector_m > 0`` found no connected street within the limit.
    """

    query_lat: float
    query_lon: float
    lat: float
    lon: float
    distance_m: float
    positions: tuple[EdgePosition, ...]
    piece: int = -1

    @property
    def on_cut_off_piece(self) -> bool:
        return self.piece >= 0

    @property
    def has_connector(self) -> bool:
        return any(p.connector_m > 0 for p in self.positions)


def drop_shared_fallbacks(start: Snap, end: Snap) -> tuple[Snap, Snap]:
    """Without the connected-street fallbacks when both points lie on one cut-off piece.

    Leaving the piece by one connector and coming back by another would "route" across
    whatever lies beside the street (against a one-way trunk road, say): the piece's own
    streets join the points, or nothing does.
    """
    if not (start.on_cut_off_piece and start.piece == end.piece):
        return start, end
    return _nearest_only(start), _nearest_only(end)


def _nearest_only(snap: Snap) -> Snap:
    kept = tuple(p for p in snap.positions if p.connector_m == 0)
    return Snap(
        snap.query_lat, snap.query_lon, snap.lat, snap.lon, snap.distance_m, kept, snap.piece
    )


class Snapper:
    """Nearest-edge lookups over a compact graph (an STR-tree of edge polylines in metres)."""

    def __init__(self, graph: CompactGraph) -> None:
        self._graph = graph
        bbox = graph.bbox
        self._projection = LocalProjection(
            (bbox.min_lat + bbox.max_lat) / 2, (bbox.min_lon + bbox.max_lon) / 2
        )
        x, y = self._projection.to_xy(graph.geometry_lat, graph.geometry_lon)
        counts = np.diff(graph.geometry_offsets)
        owners = np.repeat(np.arange(graph.edge_count), counts)
        self._lines = shapely.linestrings(np.column_stack([x, y]), indices=owners)
        self._line_length_m: NDArray[np.float64] = shapely.length(self._lines)
        self._tree = shapely.STRtree(self._lines)
        self._all_edges = np.arange(graph.edge_count)  # once: a snap must not allocate it
        self._core_edges = np.flatnonzero(graph.core_edge)
        self._core_tree = shapely.STRtree(self._lines[self._core_edges])
        self._piece_of_edge = _cut_off_pieces(graph)

    @property
    def projection(self) -> LocalProjection:
        return self._projection

    def snap(
        self,
        lat: float,
        lon: float,
        *,
        max_distance_m: float = DEFAULT_MAX_SNAP_DISTANCE_M,
        name: str = "coordinate",
    ) -> Snap:
        """Snap ``(lat, lon)`` to the network.

        Raises
        ------
        InvalidCoordinateError
            When the coordinate is not valid (NaN, out of range, swapped lat/lon).
        LocationOutsideNetworkError
            When no usable edge lies within ``max_distance_m``.
        """
        lat, lon = validate_coordinate(lat, lon, name=name, bbox=self._graph.bbox)
        x, y = self._projection.to_xy(np.array([lat]), np.array([lon]))
        point = shapely.points(x[0], y[0])
        nearest, distance = self._tree.query_nearest(
            point, max_distance=max_distance_m, return_distance=True
        )
        if nearest.size == 0:
            message, gap_m = self._outside_message(lat, lon, max_distance_m, name)
            raise LocationOutsideNetworkError(message, place=name, distance_m=gap_m)
        best_m = float(distance.min())
        edges = self._ties(self._tree, self._all_edges, point, best_m)
        piece = -1
        if not self._graph.core_edge[edges].any():
            piece = int(self._piece_of_edge[edges].min())
            # The nearest street is a cut-off piece (a one-way stub at the extract's border,
            # an island): offer the nearest well-connected street too, within the same limit.
            core_near, core_distance = self._core_tree.query_nearest(
                point, max_distance=max_distance_m, return_distance=True
            )
            if core_near.size:
                core_best = float(core_distance.min())
                edges = np.concatenate(
                    [edges, self._ties(self._core_tree, self._core_edges, point, core_best)]
                )
        lines = self._lines[edges]
        distances = shapely.distance(lines, point)
        along = shapely.line_locate_point(lines, point)
        lengths = self._line_length_m[edges]
        fractions = np.divide(along, lengths, out=np.zeros_like(along), where=lengths > 0)
        first = int(np.argmin(distances))
        snapped = shapely.line_interpolate_point(lines[first], along[first])
        snapped_lat, snapped_lon = self._projection.to_latlon(
            np.array([shapely.get_x(snapped)]), np.array([shapely.get_y(snapped)])
        )
        positions = tuple(
            EdgePosition(
                int(edge),
                float(np.clip(f, 0.0, 1.0)),
                float(d) if d > best_m + _TIE_TOLERANCE_M else 0.0,
            )
            for edge, f, d in zip(edges, fractions, distances, strict=True)
        )
        return Snap(
            lat, lon, float(snapped_lat[0]), float(snapped_lon[0]), best_m, positions, piece
        )

    def _ties(
        self,
        tree: shapely.STRtree,
        edge_ids: NDArray[np.int64],
        point: shapely.Point,
        best_m: float,
    ) -> NDArray[np.int64]:
        """Edges of ``tree`` as near to ``point`` as the nearest, within the tie tolerance."""
        found = tree.query(point, predicate="dwithin", distance=best_m + _TIE_TOLERANCE_M)
        edges = edge_ids[found]
        near: NDArray[np.bool_] = (
            shapely.distance(self._lines[edges], point) <= best_m + _TIE_TOLERANCE_M
        )
        nearest: NDArray[np.int64] = edges[near]
        return nearest

    def _outside_message(
        self, lat: float, lon: float, max_distance_m: float, name: str
    ) -> tuple[str, float]:
        """The English sentence, and the distance to the nearest usable street (m)."""
        x, y = self._projection.to_xy(np.array([lat]), np.array([lon]))
        nearest = self._tree.query_nearest(shapely.points(x[0], y[0]), return_distance=True)
        gap_m = float(nearest[1].min()) if nearest[1].size else float("nan")
        gap_km = gap_m / 1000
        bbox = self._graph.bbox
        message = (
            f"{name} ({lat:.5f}, {lon:.5f}) lies {gap_km:.1f} km from the nearest street usable "
            f"for {self._graph.mode.value}; accepted: within {max_distance_m:.0f} m of the "
            f"network, which covers lat {bbox.min_lat:.3f} to {bbox.max_lat:.3f}, "
            f"lon {bbox.min_lon:.3f} to {bbox.max_lon:.3f}"
        )
        return message, gap_m


def _cut_off_pieces(graph: CompactGraph) -> NDArray[np.int64]:
    """Per edge, the number of the cut-off piece it belongs to (-1 on the connected network).

    Pieces are the weakly connected parts of the edges outside the largest strongly
    connected component (an island, or a one-way stub whose nodes each form their own strong
    component), joined through their own nodes only: two stubs meeting the network at one
    node are two pieces.
    """
    outside = np.flatnonzero(~graph.core_edge)
    labels = np.full(graph.edge_count, -1, np.int64)
    if outside.size == 0:
        return labels
    n = graph.node_count
    core_node = np.zeros(n, np.bool_)
    core_node[graph.tails[graph.core_edge]] = True
    core_node[graph.heads[graph.core_edge]] = True
    tails, heads = graph.tails[outside], graph.heads[outside]
    # An edge touching the network links its outer node to itself, not to the network.
    tails_linked = np.where(core_node[tails], heads, tails)
    heads_linked = np.where(core_node[heads], tails, heads)
    matrix = csr_matrix((np.ones(outside.size), (tails_linked, heads_linked)), shape=(n, n))
    _, node_piece = connected_components(matrix, directed=False)
    labels[outside] = node_piece[tails_linked]
    return labels
