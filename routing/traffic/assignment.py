"""Static user-equilibrium traffic assignment with BPR volume-delay on a CSR street network.

Every driver takes a fastest route given everyone else's choice (Wardrop's first principle).
The equilibrium minimises Beckmann's convex objective, which the Frank-Wolfe family solves by
repeated all-or-nothing loads on shortest-path trees and a line search between them:

``"fw"``
    Frank-Wolfe: the textbook method; slow to close the last orders of magnitude of gap.
``"cfw"``, ``"bfw"``
    Conjugate and bi-conjugate Frank-Wolfe (Mitradjieva & Lindberg, Transportation Science
    47(2), 2013): the search direction is made conjugate to the previous one (two for
    ``"bfw"``) with respect to the objective's Hessian, which is diagonal for separable costs,
    so ``"bfw"`` reaches a relative gap of 1e-4 in a fraction of FW's iterations.

Relative gap is ``(sum t(x) x - sum t(x) y) / sum t(x) x`` where ``y`` is the all-or-nothing
load at the current times ``t(x)``: the share of total travel time that drivers would save by
all switching to the current fastest routes. Volumes and capacities are in vehicles per hour,
times in seconds; delay is vehicle-hours over ``period_h`` hours of that hourly flow.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numba
import numpy as np
from numpy.typing import NDArray

from routing.street.graph import CompactGraph
from routing.traffic._assignment_kernels import all_or_nothing, line_search
from routing.traffic.demand import DemandError, UnreachableDemandError
from routing.traffic.segments import SharedSegments

__all__ = [
    "DEFAULT_BPR_ALPHA",
    "DEFAULT_BPR_BETA",
    "DEFAULT_RELATIVE_GAP",
    "Algorithm",
    "AssignmentNetwork",
    "AssignmentResult",
    "ProgressCallback",
    "assign",
    "bpr_time_s",
]

DEFAULT_BPR_ALPHA = 0.15
DEFAULT_BPR_BETA = 4.0
DEFAULT_RELATIVE_GAP = 1e-4
Algorithm = Literal["fw", "cfw", "bfw"]
ProgressCallback = Callable[[int, float], None]
"""Called after each iteration with (iteration, relative gap of the current volumes)."""

# Conjugate weights are kept below 1 so the new direction never collapses onto the old one.
_MAX_CONJUGATE_WEIGHT = 1.0 - 1e-6
# Below this many origin-edge pairs per load, waking worker threads costs more than it saves.
_MIN_PARALLEL_WORK = 1_000_000
# A step this close to 1 replaced the whole solution: conjugacy with older directions is moot.
_FULL_STEP = 1.0 - 1e-12


@dataclass(frozen=True, eq=False)
class AssignmentNetwork:
    """A directed network in CSR form, edges sorted by tail, with BPR inputs per edge.

    Edge ``e`` runs ``tails[e] -> heads[e]``; ``indptr[u]:indptr[u + 1]`` are ``u``'s out-edges.
    ``shared`` groups the copies of one street segment on a graph with turn costs: they
    share its volume and capacity (:mod:`routing.traffic.segments`).
    """

    indptr: NDArray[np.int64]
    heads: NDArray[np.int32]
    tails: NDArray[np.int32]
    free_flow_time_s: NDArray[np.float64]
    capacity_veh_h: NDArray[np.float64]
    shared: SharedSegments | None = None

    def __post_init__(self) -> None:
        edges = self.heads.shape[0]
        for name in ("tails", "free_flow_time_s", "capacity_veh_h"):
            if getattr(self, name).shape != (edges,):
                raise ValueError(
                    f"{name} has shape {getattr(self, name).shape}; expected ({edges},)"
                )
        nodes = self.indptr.shape[0] - 1
        if nodes < 1 or self.indptr[0] != 0 or self.indptr[-1] != edges:
            raise ValueError("indptr must start at 0 and end at the edge count")
        if edges and (self.heads.min() < 0 or self.heads.max() >= nodes):
            raise ValueError(f"heads must be node indices in [0, {nodes})")
        expected_tails = np.repeat(np.arange(nodes), np.diff(self.indptr))
        if not np.array_equal(expected_tails, self.tails):
            raise ValueError("tails disagree with indptr; edges must be sorted by tail")
        bad_time = ~np.isfinite(self.free_flow_time_s) | (self.free_flow_time_s < 0)
        if bad_time.any():
            e = int(np.flatnonzero(bad_time)[0])
            raise ValueError(
                f"edge {e} has free-flow time {float(self.free_flow_time_s[e])} s; "
                "accepted: finite and >= 0"
            )
        bad_capacity = ~np.isfinite(self.capacity_veh_h) | (self.capacity_veh_h <= 0)
        if bad_capacity.any():
            e = int(np.flatnonzero(bad_capacity)[0])
            raise ValueError(
                f"edge {e} has capacity {float(self.capacity_veh_h[e])} veh/h; "
                "accepted: finite and > 0"
            )

    @property
    def node_count(self) -> int:
        return int(self.indptr.shape[0] - 1)

    @property
    def edge_count(self) -> int:
        return int(self.heads.shape[0])

    @classmethod
    def from_arrays(
        cls,
        indptr: NDArray[np.integer],
        heads: NDArray[np.integer],
        free_flow_time_s: NDArray[np.floating],
        capacity_veh_h: NDArray[np.floating],
        shared: SharedSegments | None = None,
    ) -> AssignmentNetwork:
        """Build from CSR arrays (tails are derived from ``indptr``)."""
        indptr64 = np.ascontiguousarray(indptr, np.int64)
        tails = np.repeat(np.arange(indptr64.shape[0] - 1), np.diff(indptr64)).astype(np.int32)
        return cls(
            indptr=indptr64,
            heads=np.ascontiguousarray(heads, np.int32),
            tails=tails,
            free_flow_time_s=np.ascontiguousarray(free_flow_time_s, np.float64),
            capacity_veh_h=np.ascontiguousarray(capacity_veh_h, np.float64),
            shared=shared,
        )

    @classmethod
    def from_compact(
        cls, graph: CompactGraph, capacity_veh_h: NDArray[np.floating]
    ) -> AssignmentNetwork:
        """A compact drive graph with capacities aligned to its edges (see traffic.capacity).

        On a graph with turn costs the copies of a segment share it (``shared``)."""
        return cls.from_arrays(
            graph.indptr,
            graph.heads,
            graph.duration_s,
            capacity_veh_h,
            SharedSegments.of(graph),
        )


@dataclass(frozen=True, eq=False)
class AssignmentResult:
    """Equilibrium volumes and times per edge (arrays aligned with the network's edges)."""

    volume_veh_h: NDArray[np.float64]
    free_flow_time_s: NDArray[np.float64]
    congested_time_s: NDArray[np.float64]
    capacity_veh_h: NDArray[np.float64]
    volume_capacity_ratio: NDArray[np.float64]
    delay_veh_h: NDArray[np.float64]
    """Extra time over free flow, summed over the vehicles of ``period_h`` hours."""
    relative_gap: float
    gap_history: tuple[float, ...]
    iterations: int
    converged: bool
    algorithm: Algorithm
    period_h: float
    total_demand_veh_h: float
    elapsed_s: float

    @property
    def total_delay_veh_h(self) -> float:
        return float(self.delay_veh_h.sum())


def bpr_time_s(
    free_flow_time_s: NDArray[np.float64],
    volume_veh_h: NDArray[np.float64],
    capacity_veh_h: NDArray[np.float64],
    alpha: float | NDArray[np.float64] = DEFAULT_BPR_ALPHA,
    beta: float | NDArray[np.float64] = DEFAULT_BPR_BETA,
) -> NDArray[np.float64]:
    """BPR travel time ``t0 (1 + alpha (v / c) ** beta)`` per edge, in seconds."""
    return free_flow_time_s * (1.0 + alpha * (volume_veh_h / capacity_veh_h) ** beta)


def assign(
    network: AssignmentNetwork,
    zone_nodes: NDArray[np.integer],
    trips_veh_h: NDArray[np.floating],
    *,
    algorithm: Algorithm = "bfw",
    relative_gap: float = DEFAULT_RELATIVE_GAP,
    max_iterations: int = 500,
    alpha: float | NDArray[np.floating] = DEFAULT_BPR_ALPHA,
    beta: float | NDArray[np.floating] = DEFAULT_BPR_BETA,
    period_h: float = 1.0,
    threads: int | None = None,
    progress: ProgressCallback | None = None,
) -> AssignmentResult:
    """Assign an origin-destination matrix to the network at user equilibrium.

    Parameters
    ----------
    network
        The directed network with free-flow times (s) and capacities (veh/h).
    zone_nodes
        Node index of each zone's centroid; several zones may share a node.
    trips_veh_h
        Square matrix, ``trips_veh_h[i, j]`` vehicles per hour from zone ``i`` to zone ``j``.
        The diagonal (and any pair of zones on one node) needs no street and is not loaded.
    algorithm
        ``"bfw"`` (bi-conjugate Frank-Wolfe, default), ``"cfw"`` or ``"fw"``.
    relative_gap
        Stop once the relative gap of the current volumes is at or below this.
    max_iterations
        Gap evaluations at most (each is one all-or-nothing load; one more starts the run).
    alpha, beta
        BPR parameters: one value for every edge, or one per edge (``beta=1`` gives linear
        costs ``t0 + t0 alpha v / c``).
    period_h
        Hours the hourly flow lasts, for the delay in vehicle-hours.
    threads
        Worker threads for the shortest-path trees (default: numba's thread count).
    progress
        Called after each iteration with (iteration, relative gap).

    Returns
    -------
    AssignmentResult
        With ``converged=False`` and the last gap when ``max_iterations`` ran out first; the
        volumes returned are always those whose gap is reported last.

    Raises
    ------
    DemandError
        Demand not a square matrix matching the zones, negative or non-finite trips, a zone
        node outside the network, or bad parameters.
    UnreachableDemandError
        Some pairs with trips have no route; ``error.pairs`` lists them as zone indices.
    """
    started = time.perf_counter()
    zones, trips = _validated_demand(network, zone_nodes, trips_veh_h)
    if algorithm not in ("fw", "cfw", "bfw"):
        raise DemandError(f"algorithm {algorithm!r} is unknown; accepted: 'fw', 'cfw', 'bfw'")
    if not (0 < relative_gap < 1) or max_iterations < 1 or period_h <= 0:
        raise DemandError(
            f"relative_gap={relative_gap}, max_iterations={max_iterations}, period_h={period_h}; "
            "accepted: 0 < relative_gap < 1, max_iterations >= 1, period_h > 0"
        )
    alphas, betas = _bpr_parameters(network, alpha, beta)
    origins, dest_ptr, dest_nodes, dest_trips, pair_index = _origin_rows(zones, trips)
    n_threads = _thread_count(threads, origins.shape[0], network.edge_count)
    shared = network.shared
    # Without shared segments every function below is the identity: one coordinate per edge.
    if shared is None:
        t0, capacity = network.free_flow_time_s, network.capacity_veh_h
    else:
        t0, capacity, alphas, betas = shared.bpr_inputs(
            network.free_flow_time_s, network.capacity_veh_h, alphas, betas
        )

    def lift(edge_volume: NDArray[np.float64]) -> NDArray[np.float64]:
        return edge_volume if shared is None else shared.lift(edge_volume)

    def edge_costs(cost_s: NDArray[np.float64]) -> NDArray[np.float64]:
        return cost_s if shared is None else shared.edge_costs(cost_s)

    def load(cost_s: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        edge_volume, pair_cost = all_or_nothing(
            network.indptr, network.heads, network.tails, edge_costs(cost_s),
            origins, dest_ptr, dest_nodes, dest_trips, n_threads,
        )  # fmt: skip
        return lift(edge_volume), pair_cost

    volume, pair_cost_s = load(t0)
    unreachable = ~np.isfinite(pair_cost_s)
    if unreachable.any():
        pairs = [
            (int(pair_index[k, 0]), int(pair_index[k, 1])) for k in np.flatnonzero(unreachable)
        ]
        raise UnreachableDemandError(pairs, float(dest_trips[unreachable].sum()))

    history: list[float] = []
    converged = not origins.size  # no trips to load: the empty loading is the equilibrium
    # Step-direction end points s_{k-1}, s_{k-2} and the last step length, for CFW/BFW.
    previous_target: NDArray[np.float64] | None = None
    older_target: NDArray[np.float64] | None = None
    last_step = 1.0
    restart = True
    for iteration in range(1, max_iterations + 1):
        if converged:
            break
        cost_s = bpr_time_s(t0, volume, capacity, alphas, betas)
        aon, _ = load(cost_s)
        current_cost = float(cost_s @ volume)
        gap = (current_cost - float(cost_s @ aon)) / current_cost if current_cost > 0 else 0.0
        gap = max(gap, 0.0)
        history.append(gap)
        if progress is not None:
            progress(iteration, gap)
        if gap <= relative_gap:
            converged = True
            break
        if iteration == max_iterations:
            break
        # Hessian of Beckmann's objective: diagonal, the BPR derivative per edge.
        hessian = _bpr_derivative(t0, volume, capacity, alphas, betas)
        if algorithm == "fw" or restart or previous_target is None:
            target = aon
        elif algorithm == "cfw" or older_target is None:
            target = _conjugate_target(volume, aon, previous_target, hessian)
        else:
            target = _biconjugate_target(
                volume, aon, previous_target, older_target, last_step, hessian
            )
        step = line_search(volume, target - volume, t0, capacity, alphas, betas)
        if step <= 0.0 and target is not aon:
            # Conjugation can overshoot into a non-descent direction: fall back to plain FW.
            target = aon
            step = line_search(volume, target - volume, t0, capacity, alphas, betas)
        volume = volume + step * (target - volume)
        restart = step >= _FULL_STEP
        older_target, previous_target, last_step = previous_target, target, step
        if target is aon:
            older_target = None  # a fresh FW direction: conjugate with it alone next time

    congested_s = edge_costs(bpr_time_s(t0, volume, capacity, alphas, betas))
    edge_t0 = network.free_flow_time_s
    edge_volume = volume if shared is None else volume[shared.count :]
    # A copy's volume/capacity is its segment's: the cars of every copy share the street.
    ratio = volume / capacity if shared is None else shared.per_edge(volume / capacity)
    return AssignmentResult(
        volume_veh_h=edge_volume,
        free_flow_time_s=edge_t0.copy(),
        congested_time_s=congested_s,
        capacity_veh_h=network.capacity_veh_h.copy(),
        volume_capacity_ratio=ratio,
        delay_veh_h=edge_volume * (congested_s - edge_t0) / 3600.0 * period_h,
        relative_gap=history[-1] if history else 0.0,
        gap_history=tuple(history),
        iterations=len(history),
        converged=bool(converged),
        algorithm=algorithm,
        period_h=float(period_h),
        total_demand_veh_h=float(dest_trips.sum()),
        elapsed_s=time.perf_counter() - started,
    )


def _conjugate_target(
    volume: NDArray[np.float64],
    aon: NDArray[np.float64],
    previous_target: NDArray[np.float64],
    hessian: NDArray[np.float64],
) -> NDArray[np.float64]:
    """CFW: mix the AON load with the last target so the direction is H-conjugate to it."""
    previous_direction = previous_target - volume
    numerator = float(previous_direction @ (hessian * (aon - volume)))
    denominator = float(previous_direction @ (hessian * (aon - previous_target)))
    weight = numerator / denominator if denominator != 0.0 else 0.0
    weight = min(max(weight, 0.0), _MAX_CONJUGATE_WEIGHT) if math.isfinite(weight) else 0.0
    return weight * previous_target + (1.0 - weight) * aon


def _biconjugate_target(
    volume: NDArray[np.float64],
    aon: NDArray[np.float64],
    previous_target: NDArray[np.float64],
    older_target: NDArray[np.float64],
    last_step: float,
    hessian: NDArray[np.float64],
) -> NDArray[np.float64]:
    """BFW: a convex mix of AON and the last two targets, H-conjugate to both last directions."""
    fw_direction = aon - volume
    # The direction two steps back, expressed from the current point (paper's d-bar_{k-2}).
    older_direction = last_step * previous_target + (1.0 - last_step) * older_target - volume
    previous_direction = previous_target - volume
    mu_denominator = float(older_direction @ (hessian * (older_target - previous_target)))
    mu = -float(older_direction @ (hessian * fw_direction)) / mu_denominator
    mu = max(0.0, mu) if mu_denominator != 0.0 and math.isfinite(mu) else 0.0
    nu_denominator = float(previous_direction @ (hessian * previous_direction))
    nu = 0.0
    if nu_denominator != 0.0:
        nu = -float(previous_direction @ (hessian * fw_direction)) / nu_denominator
        nu = max(0.0, nu + mu * last_step / (1.0 - last_step))
    if not math.isfinite(nu):
        nu = 0.0
    weight_aon = 1.0 / (1.0 + mu + nu)
    return weight_aon * (aon + nu * previous_target + mu * older_target)


def _bpr_derivative(
    t0: NDArray[np.float64],
    volume: NDArray[np.float64],
    capacity: NDArray[np.float64],
    alpha: NDArray[np.float64],
    beta: NDArray[np.float64],
) -> NDArray[np.float64]:
    return t0 * alpha * beta * volume ** (beta - 1.0) / capacity**beta


def _bpr_parameters(
    network: AssignmentNetwork,
    alpha: float | NDArray[np.floating],
    beta: float | NDArray[np.floating],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    shape = (network.edge_count,)
    try:
        alphas = np.ascontiguousarray(np.broadcast_to(np.asarray(alpha, np.float64), shape))
        betas = np.ascontiguousarray(np.broadcast_to(np.asarray(beta, np.float64), shape))
    except ValueError:
        raise DemandError(
            f"BPR alpha and beta must be numbers or arrays of {shape[0]} edges"
        ) from None
    bad = ~(np.isfinite(alphas) & np.isfinite(betas)) | (alphas < 0) | (betas < 1)
    if bad.any():
        e = int(np.flatnonzero(bad)[0])
        raise DemandError(
            f"edge {e} has BPR alpha={alphas[e]}, beta={betas[e]}; accepted: alpha >= 0, beta >= 1"
        )
    return alphas, betas


def _validated_demand(
    network: AssignmentNetwork, zone_nodes: NDArray[np.integer], trips_veh_h: NDArray[np.floating]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    zones = np.asarray(zone_nodes)
    trips = np.asarray(trips_veh_h, dtype=np.float64)
    if zones.ndim != 1 or not np.issubdtype(zones.dtype, np.integer):
        raise DemandError(f"zone_nodes must be a 1-d array of node indices, got {zones.dtype}")
    if trips.shape != (zones.shape[0], zones.shape[0]):
        raise DemandError(
            f"trips matrix has shape {trips.shape}; expected ({zones.shape[0]}, "
            f"{zones.shape[0]}), one row and one column per zone"
        )
    outside = (zones < 0) | (zones >= network.node_count)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise DemandError(
            f"zone {i} sits on node {int(zones[i])}, which is not on the network "
            f"(nodes 0..{network.node_count - 1}); map centroids with "
            "routing.traffic.demand.zone_nodes"
        )
    bad = ~np.isfinite(trips) | (trips < 0)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        raise DemandError(
            f"trips from zone {i} to zone {j} is {float(trips[i, j])} veh/h; "
            "accepted: finite and >= 0"
        )
    return zones.astype(np.int64), trips


def _origin_rows(
    zones: NDArray[np.int64], trips: NDArray[np.float64]
) -> tuple[
    NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]
]:
    """Demand grouped by origin node, in CSR form; also each entry's (origin, destination) zones."""
    i, j = np.nonzero(trips)
    keep = zones[i] != zones[j]  # same node: no street to load
    i, j = i[keep], j[keep]
    order = np.lexsort((j, zones[i]))
    i, j = i[order], j[order]
    origin_of_entry = zones[i]
    origins, starts = np.unique(origin_of_entry, return_index=True)
    dest_ptr = np.append(starts, i.shape[0]).astype(np.int64)
    return origins, dest_ptr, zones[j], trips[i, j], np.stack([i, j], axis=1)


def _thread_count(threads: int | None, origins: int, edges: int) -> int:
    if threads is None and origins * edges < _MIN_PARALLEL_WORK:
        return 1
    wanted = numba.get_num_threads() if threads is None else threads
    # numba.config's attributes are set at import time, unseen by type checkers.
    most = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    return max(1, min(int(wanted), origins, most))
