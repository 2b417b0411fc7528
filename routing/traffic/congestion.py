"""Congested drive graphs: a period's equilibrium travel times, ready for car routing.

The trip planner routes cars on a :class:`~routing.street.graph.CompactGraph` through its
contraction hierarchy. :func:`congested_graph` returns a copy whose ``duration_s`` are the
congested times of an assignment, with the time hierarchy rebuilt on them, so a
:class:`~routing.street.router.StreetRouter` over it answers with the period's driving times and
avoids its hotspots where a faster way exists. :func:`congested_graphs` does every period.

Lengths do not change, so the distance hierarchy of the free-flow graph is shared when it is
its own; when the free-flow graph shared one hierarchy for both metrics (durations
proportional to lengths), both are rebuilt since congestion breaks that proportionality.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np

from routing.street.compile import build_hierarchies
from routing.street.graph import CompactGraph, Metric, PathIndex
from routing.street.hierarchy.ch import ContractionHierarchy
from routing.traffic.assignment import AssignmentResult

__all__ = ["congested_graph", "congested_graphs"]


def congested_graph(
    graph: CompactGraph,
    result: AssignmentResult,
    *,
    period: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CompactGraph:
    """A copy of ``graph`` whose edge times are ``result``'s congested times.

    Parameters
    ----------
    graph
        The free-flow drive graph the assignment ran on.
    result
        Its assignment; ``congested_time_s`` per edge in the graph's edge order.
    period
        The period's name, recorded in the copy's ``info["congestion"]``.
    progress
        Called with (nodes contracted, total) while the hierarchy is rebuilt.

    Raises
    ------
    ValueError
        The result has another number of edges, or congested times that are not finite
        and at least the free-flow ones.
    """
    congested_s = np.asarray(result.congested_time_s, np.float64)
    if congested_s.shape != (graph.edge_count,):
        raise ValueError(
            f"the assignment has {congested_s.shape[0]} edges but the graph {graph.edge_count};"
            " pass the graph the assignment ran on"
        )
    if not np.isfinite(congested_s).all() or (congested_s < graph.duration_s - 1e-9).any():
        raise ValueError(
            "congested times must be finite and no faster than free flow; got "
            f"min {float(np.nanmin(congested_s - graph.duration_s)):.3g} s against free flow"
        )
    distance = graph.hierarchies.get("distance")
    hierarchies: dict[Metric, PathIndex]
    if distance is not None and distance is not graph.hierarchies.get("time"):
        by_time = ContractionHierarchy.build(
            graph.indptr, graph.heads, congested_s, progress=progress
        )
        hierarchies = {"time": by_time, "distance": distance}
    else:
        hierarchies = build_hierarchies(
            graph.indptr, graph.heads.astype(np.int64), graph.length_m, congested_s, progress
        )
    info = {
        **graph.info,
        "congestion": {
            "period": period,
            "relative_gap": result.relative_gap,
            "total_delay_veh_h": round(result.total_delay_veh_h, 3),
        },
    }
    return dataclasses.replace(
        graph, duration_s=congested_s.copy(), hierarchies=hierarchies, info=info
    )


def congested_graphs(
    graph: CompactGraph, results: Mapping[str, AssignmentResult]
) -> dict[str, CompactGraph]:
    """:func:`congested_graph` for each period's assignment, keyed by period name."""
    return {
        period: congested_graph(graph, result, period=period) for period, result in results.items()
    }
