"""Small street graphs with known answers, in osmnx conventions (what the loaders produce).

A 3 x 3 grid of 100 m blocks: rows are "Rue du Nord", "Rue du Centre", "Rue du Sud" (west to
east), columns "Avenue Ouest", "Avenue Centrale", "Avenue Est" (south to north). Node ``(r, c)``
has OSM id ``100 * r + c + 1``; row 0 is the south. These are test graphs, not Issy streets.
"""

from __future__ import annotations

import math

import networkx as nx

from routing.geometry import haversine_m

LAT0, LON0 = 48.8200, 2.2600
STEP_M = 100.0
DLAT = STEP_M / 111_195.0
DLON = DLAT / math.cos(math.radians(LAT0))
ROWS = ("Rue du Sud", "Rue du Centre", "Rue du Nord")
COLUMNS = ("Avenue Ouest", "Avenue Centrale", "Avenue Est")


def node_id(row: int, col: int) -> int:
    return 100 * row + col + 1


def position(row: float, col: float) -> tuple[float, float]:
    """(lat, lon) of grid position (row, col); fractions give points along the blocks."""
    return LAT0 + row * DLAT, LON0 + col * DLON


def grid_graph(
    *,
    speed_kmh: float = 4.8,
    one_way: tuple[tuple[int, int], tuple[int, int]] | None = None,
    size: int = 3,
    step_m: float = STEP_M,
) -> nx.MultiDiGraph:
    """The grid with every block two-way, except ``one_way=(from, to)`` kept one direction.

    ``size`` and ``step_m`` make larger grids (streets beyond the third are numbered).
    """
    scale = step_m / STEP_M
    graph = nx.MultiDiGraph(crs="epsg:4326", mode="walk", source="test grid", oneway_known=True)
    graph.graph["warnings"] = []
    for r in range(size):
        for c in range(size):
            lat, lon = position(r * scale, c * scale)
            graph.add_node(node_id(r, c), x=lon, y=lat)

    def add(a: tuple[int, int], b: tuple[int, int], name: str, way: int) -> None:
        (lat1, lon1) = position(a[0] * scale, a[1] * scale)
        (lat2, lon2) = position(b[0] * scale, b[1] * scale)
        length = float(haversine_m(lat1, lon1, lat2, lon2))
        for u, v in ((a, b), (b, a)):
            if one_way is not None and (u, v) == (one_way[1], one_way[0]):
                continue
            graph.add_edge(
                node_id(*u),
                node_id(*v),
                length=length,
                travel_time=length / (speed_kmh / 3.6),
                speed_kph=speed_kmh,
                name=name,
                osmid=way,
                highway="residential",
            )

    rows = [ROWS[r] if r < 3 else f"Rue {r + 1}" for r in range(size)]
    columns = [COLUMNS[c] if c < 3 else f"Avenue {c + 1}" for c in range(size)]
    for r in range(size):
        for c in range(size - 1):
            add((r, c), (r, c + 1), rows[r], 100 + r)
    for c in range(size):
        for r in range(size - 1):
            add((r, c), (r + 1, c), columns[c], 200 + c)
    return graph
