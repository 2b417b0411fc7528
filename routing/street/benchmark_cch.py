"""Benchmark sections for the customizable hierarchy: our CCH, and RoutingKit's on demand.

Each section takes the graph and the random pairs the routing benchmark already uses, so every
figure of a record comes from one run on one graph. RoutingKit (``routingkit-cch``, the
optional ``bench`` extra) is only imported when ``--baseline routingkit`` asks for it; it takes
integer weights, so its costs are in milliseconds, and the record says how far they are from ours.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from routing.errors import RoutingError
from routing.street.hierarchy.cch import CustomizableHierarchy, CustomizedMetric

__all__ = ["BASELINES", "cch_section", "matrix_section", "routingkit_section"]

BASELINES = ("routingkit",)


def _ms(seconds: list[float]) -> tuple[float, float]:
    values = np.array(seconds) * 1000
    return round(float(np.median(values)), 4), round(float(np.percentile(values, 95)), 4)


def cch_section(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int64],
    weights: NDArray[np.float64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    sources: NDArray[np.int64],
    targets: NDArray[np.int64],
    expected: NDArray[np.float64],
) -> tuple[dict[str, Any], CustomizedMetric]:
    """Order, chordal graph, customization and queries with path; ``expected``: CH costs."""
    from routing.street.hierarchy.cch_order import nested_dissection_order

    n = lat.shape[0]
    tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    cpu_started = time.process_time()  # all threads: the share of a loaded machine we got
    started = time.perf_counter()
    rank = nested_dissection_order(n, tails, heads, lat, lon)
    order_s = time.perf_counter() - started
    order_cpu_s = time.process_time() - cpu_started
    started = time.perf_counter()
    hierarchy = CustomizableHierarchy.build(indptr, heads, lat, lon, rank=rank)
    chordal_s = time.perf_counter() - started
    customize_runs = []
    build_cpu_s = 0.0
    for _ in range(3):
        started = time.perf_counter()
        metric = hierarchy.customize(weights)
        customize_runs.append(time.perf_counter() - started)
        build_cpu_s = build_cpu_s or time.process_time() - cpu_started  # the first one's
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cch.npz"
        np.savez(path, **hierarchy.to_arrays())  # type: ignore[arg-type]
        started = time.perf_counter()
        with np.load(path, mmap_mode="r") as npz:
            CustomizableHierarchy.from_arrays({k: npz[k] for k in npz.files})
        load_s = time.perf_counter() - started
    zero = np.zeros(1)
    metric.query(sources[:1], zero, targets[:1], zero)
    times: list[float] = []
    costs = np.empty(sources.shape[0])
    for i in range(sources.shape[0]):
        s, t = sources[i : i + 1], targets[i : i + 1]
        started = time.perf_counter()
        found = metric.query(s, zero, t, zero)
        times.append(time.perf_counter() - started)
        costs[i] = np.inf if found is None else found.cost
    median, p95 = _ms(times)
    with np.errstate(invalid="ignore"):
        error = np.abs(costs - expected) / np.maximum(expected, 1e-9)
    error = np.where(costs == expected, 0.0, error)
    memory = sum(a.nbytes for a in hierarchy.to_arrays().values()) + metric.nbytes
    return {
        "cch_order_s": round(order_s, 2),
        "cch_chordal_s": round(chordal_s, 2),
        # build: order, chordal graph and the first customization (what a new graph costs)
        "cch_build_s": round(order_s + chordal_s + customize_runs[0], 2),
        "cch_order_cpu_s": round(order_cpu_s, 2),
        "cch_build_cpu_s": round(build_cpu_s, 2),
        "cch_artefact_load_s": round(load_s, 3),
        "cch_arcs": hierarchy.num_arcs,
        "customize_s": round(min(customize_runs), 4),
        "cch_median_ms": median,
        "cch_p95_ms": p95,
        "cch_max_relative_error_vs_ch": float(f"{float(error.max()):.3g}"),
        "cch_mismatches_vs_ch": int((error > 1e-9).sum()),
        "memory_cch_mb": round(memory / 2**20, 1),
    }, metric


def routingkit_section(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int64],
    weights: NDArray[np.float64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    sources: NDArray[np.int64],
    targets: NDArray[np.int64],
    ours: NDArray[np.float64],
    our_metric: CustomizedMetric | None = None,
) -> tuple[dict[str, Any], Any]:
    """RoutingKit's CCH on the same graph and pairs, weights in integer milliseconds.

    With ``our_metric``, the pairs are also timed alternately, ours then theirs, pair by
    pair: ``query_ratio_vs_routingkit_interleaved`` then compares the two engines under the
    same load of the machine (a shared machine's load drifts between two sections).

    Raises
    ------
    RoutingError
        When ``routingkit-cch`` is not installed (it is the optional ``bench`` extra).

    Returns the record and RoutingKit's customized metric (for the matrix section).
    """
    try:
        import routingkit_cch
    except ImportError:
        raise RoutingError(
            "--baseline routingkit needs the routingkit-cch package: "
            "pip install -e '.[bench]' (it is never needed to serve or test)"
        ) from None
    n = lat.shape[0]
    tail_list = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr)).tolist()
    head_list = heads.tolist()
    started = time.perf_counter()
    order = routingkit_cch.compute_order_inertial(
        n, tail_list, head_list, lat.tolist(), lon.tolist()
    )
    order_s = time.perf_counter() - started
    started = time.perf_counter()
    cch = routingkit_cch.CCH(order, tail_list, head_list, False)
    build_s = time.perf_counter() - started
    weights_ms = np.round(weights * 1000).astype(np.int64).tolist()
    started = time.perf_counter()
    metric = routingkit_cch.CCHMetric(cch, weights_ms)
    customize_s = time.perf_counter() - started
    query = routingkit_cch.CCHQuery(metric)
    times: list[float] = []
    costs = np.empty(sources.shape[0])
    for i, (s, t) in enumerate(zip(sources.tolist(), targets.tolist(), strict=True)):
        started = time.perf_counter()
        result = query.run(s, t)
        path = result.arc_path  # the path unpacked, as ours is
        distance = result.distance
        del result  # RoutingKit's binding wants each result gone before the next query
        times.append(time.perf_counter() - started)
        costs[i] = np.inf if distance is None else distance / 1000
        del path
    median, p95 = _ms(times)
    interleaved: dict[str, Any] = {}
    if our_metric is not None:
        zero = np.zeros(1)
        our_times: list[float] = []
        their_times: list[float] = []
        for i in range(sources.shape[0]):
            origin, destination = sources[i : i + 1], targets[i : i + 1]
            origin_id, destination_id = int(origin[0]), int(destination[0])
            started = time.perf_counter()
            our_metric.query(origin, zero, destination, zero)
            our_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = query.run(origin_id, destination_id)
            path = result.arc_path
            distance = result.distance
            del result, path
            their_times.append(time.perf_counter() - started)
        our_median = float(np.median(our_times))
        their_median = float(np.median(their_times))
        interleaved = {
            "interleaved_median_ms": round(our_median * 1000, 4),
            "interleaved_routingkit_median_ms": round(their_median * 1000, 4),
            "query_ratio_vs_routingkit_interleaved": round(
                our_median / max(their_median, 1e-12), 2
            ),
        }
    reached = np.isfinite(ours) & np.isfinite(costs)
    gap = np.abs(costs[reached] - ours[reached]) / np.maximum(ours[reached], 1e-9)
    del query  # no query object may outlive this section: the matrix uses the metric next
    record = {
        "routingkit_order_s": round(order_s, 2),
        "routingkit_build_s": round(build_s, 2),
        "routingkit_customize_s": round(customize_s, 4),
        "routingkit_median_ms": median,
        "routingkit_p95_ms": p95,
        "routingkit_max_relative_gap_ms_rounding": float(f"{float(gap.max(initial=0)):.3g}"),
        "routingkit_unreachable_disagreements": int(
            (np.isfinite(ours) != np.isfinite(costs)).sum()
        ),
        **interleaved,
    }
    return record, metric


def matrix_section(
    indptr: NDArray[np.int64],
    heads: NDArray[np.int64],
    weights: NDArray[np.float64],
    metric: CustomizedMetric,
    points: NDArray[np.int64],
    *,
    routingkit_metric: Any = None,
) -> dict[str, Any]:
    """A square matrix over ``points``: CCH buckets, one Dijkstra per origin (what
    ``travel_cost_matrix`` did), and RoutingKit's one-to-many when asked."""
    from routing.street.search import dijkstra_costs

    size = points.shape[0]
    metric.matrix(points[:2], points[:2])  # compile / warm
    started = time.perf_counter()
    ours = metric.matrix(points, points)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    zero = np.zeros(1)
    heads32 = heads.astype(np.int32)
    reference = np.stack(
        [
            dijkstra_costs(indptr, heads32, weights, points[i : i + 1], zero)[points]
            for i in range(size)
        ]
    )
    dijkstra_s = time.perf_counter() - started
    same = ours == reference
    with np.errstate(invalid="ignore"):
        error = np.where(same, 0.0, np.abs(ours - reference) / np.maximum(reference, 1e-9))
    record: dict[str, Any] = {
        "matrix_size": f"{size}x{size}",
        f"matrix_{size}x{size}_ms": round(ours_s * 1000, 2),
        f"matrix_{size}x{size}_dijkstra_per_origin_ms": round(dijkstra_s * 1000, 2),
        "matrix_speedup_vs_dijkstra_per_origin": round(dijkstra_s / max(ours_s, 1e-9), 1),
        "matrix_max_relative_error_vs_dijkstra": float(f"{float(error.max()):.3g}"),
    }
    if routingkit_metric is not None:
        import routingkit_cch

        point_list = points.tolist()
        started = time.perf_counter()
        one_to_many = routingkit_cch.CCHOneToMany(routingkit_metric, point_list)
        theirs = [one_to_many.distances_from(p) for p in point_list]
        routingkit_s = time.perf_counter() - started
        del one_to_many  # RoutingKit's binding wants it gone before the metric changes
        record[f"routingkit_matrix_{size}x{size}_ms"] = round(routingkit_s * 1000, 2)
        record["matrix_ratio_vs_routingkit"] = round(ours_s / max(routingkit_s, 1e-9), 2)
        record["routingkit_matrix_unreachable_disagreements"] = int(
            sum(
                (d is None) != bool(np.isinf(ours[i, j]))
                for i, row in enumerate(theirs)
                for j, d in enumerate(row)
            )
        )
    return record
