"""Sub-commands for traffic planners: assign a period's demand, compare a scenario.

``issy-mobility traffic assign`` loads the drive network and a demand (a planner's OD CSV
pair, or the default Issy model from the open data), runs the user-equilibrium assignment
with its progress on stderr, and writes the segments, hotspots, map and a ``summary.json``
into ``--out`` all at once: a failure leaves the previous files there untouched.

``issy-mobility traffic scenario`` does the same for a base case and an edited network (streets
or ways closed, lanes removed) and writes the comparison as one JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from marketplace.streets import ARTEFACT_CACHE_DIR, default_streets_source
from routing.errors import NoStreetNetworkError
from routing.street.graph import CompactGraph
from routing.street.modes import Mode

__all__ = ["register"]

_STREETS_HELP = (
    "street network: an OSM file, Overpass JSON, GraphML, a node/edge topology CSV or a built "
    "artefact folder (default: $ISSY_STREETS, then the cached Issy download)"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    traffic = subparsers.add_parser("traffic", help="traffic assignment, hotspots and scenarios")
    commands = traffic.add_subparsers(dest="traffic_command", required=True, metavar="ACTION")

    assign = commands.add_parser("assign", help="assign a period's demand and export hotspots")
    _add_common(assign)
    assign.add_argument("--out", type=Path, default=Path("traffic"), help="folder to write")
    assign.add_argument("--no-png", action="store_true", help="skip the hotspot map")
    assign.set_defaults(handler=_assign)

    scenario = commands.add_parser("scenario", help="compare an edited network with the base")
    _add_common(scenario)
    scenario.add_argument("--close", action="append", default=[], metavar="STREET")
    scenario.add_argument("--close-way", action="append", default=[], type=int, metavar="ID")
    scenario.add_argument("--remove-lane", action="append", default=[], metavar="STREET")
    scenario.add_argument("--remove-lane-way", action="append", default=[], type=int, metavar="ID")
    scenario.add_argument(
        "--out", type=Path, default=Path("scenario.json"), help="comparison JSON to write"
    )
    scenario.set_defaults(handler=_scenario)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--streets", default=None, help=_STREETS_HELP)
    parser.add_argument("--period", default="morning_peak", help="demand period to assign")
    parser.add_argument("--od-zones", type=Path, help="zones CSV: zone_id,lat,lon")
    parser.add_argument("--od-trips", type=Path, help="trips CSV: origin,destination,period,trips")
    parser.add_argument(
        "--issy-demand",
        type=Path,
        metavar="DATA_DIR",
        help="build the default Issy demand from the open data in DATA_DIR (transit/, geocoding/)",
    )
    parser.add_argument(
        "--restrict-to-network",
        action="store_true",
        help="with --issy-demand: drop zones off the network (for a partial extract)",
    )
    parser.add_argument("--algorithm", choices=["fw", "cfw", "bfw"], default="bfw")
    parser.add_argument("--gap", type=float, default=1e-4, help="target relative gap")
    parser.add_argument("--max-iterations", type=int, default=500)
    parser.add_argument("--min-vc", type=float, default=0.9, help="hotspot v/c threshold")
    parser.add_argument("--top", type=int, default=10, help="hotspots listed in the summary")


@dataclass(frozen=True, eq=False)
class _Case:
    graph: CompactGraph
    capacity_veh_h: NDArray[np.float64]
    zone_ids: list[str]
    zone_nodes: NDArray[np.int64]
    trips_veh_h: NDArray[np.float64]
    period: str
    period_h: float
    demand_source: str


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _iteration(iteration: int, gap: float) -> None:
    _progress(f"iteration {iteration}: relative gap {gap:.3e}")


def _load_case(args: argparse.Namespace) -> _Case:
    """Everything the assignment needs, validated before any file is written."""
    from routing.regions.issy_demand import IssyDemandSources, issy_demand
    from routing.street.network import open_street_network
    from routing.traffic.capacity import capacity_from_compact
    from routing.traffic.demand import DemandError, od_matrix_from_csv, zone_nodes

    od_csv = args.od_zones is not None or args.od_trips is not None
    if od_csv == (args.issy_demand is not None) or (
        od_csv and (args.od_zones is None or args.od_trips is None)
    ):
        raise DemandError(
            "give the demand as either --od-zones CSV --od-trips CSV, or --issy-demand DATA_DIR"
        )
    sources = IssyDemandSources.from_data_dir(args.issy_demand) if args.issy_demand else None
    source = default_streets_source(args.streets)
    if source is None:
        raise NoStreetNetworkError(
            "no street network given: pass --streets PATH (OSM, GraphML, topology CSV or an "
            "artefact), set ISSY_STREETS, or run `issy-mobility graph download` while online"
        )
    if od_csv:
        od = od_matrix_from_csv(args.od_zones, args.od_trips)
        od.period(args.period)  # an unknown period fails before the network loads
    network = open_street_network(
        source, cache_dir=ARTEFACT_CACHE_DIR, modes=(Mode.DRIVE,), progress=_progress
    )
    router = network.router(Mode.DRIVE)
    graph = router.graph
    if sources is not None:
        _progress("building the Issy demand from the open data")
        # The artefact's stored hierarchy answers the gravity model's zone matrix when at
        # hand (a many-to-many search); ordering one just for it would cost more than the
        # Dijkstras it saves.
        metric = router.live.customized(graph.duration_s) if router.live.ordered else None
        demand = issy_demand(
            graph, sources, restrict_to_network=args.restrict_to_network, metric=metric
        )
        od, nodes = demand.od, demand.zone_nodes
        if demand.dropped_zones:
            _progress(f"{len(demand.dropped_zones)} zone(s) off the network left out")
    else:
        nodes = zone_nodes(od.zones, graph)
    period = od.period(args.period)
    return _Case(
        graph=graph,
        capacity_veh_h=capacity_from_compact(graph),
        zone_ids=[z.zone_id for z in od.zones],
        zone_nodes=nodes,
        trips_veh_h=od.hourly_veh_h(period.name),
        period=period.name,
        period_h=period.duration_h,
        demand_source=str(args.issy_demand or f"{args.od_zones} + {args.od_trips}"),
    )


def _assign(args: argparse.Namespace) -> int:
    from routing.traffic.pipeline import AssignmentSettings, assign_period

    case = _load_case(args)
    _progress(
        f"assigning {case.trips_veh_h.sum():,.0f} veh/h between {len(case.zone_ids)} zones "
        f"({case.period}, {args.algorithm}, target gap {args.gap:g})"
    )
    settings = AssignmentSettings(
        algorithm=args.algorithm,
        relative_gap=args.gap,
        max_iterations=args.max_iterations,
        min_volume_capacity=args.min_vc,
    )
    outcome = assign_period(
        case.graph,
        case.zone_nodes,
        case.trips_veh_h,
        period=case.period,
        period_h=case.period_h,
        settings=settings,
        capacity_veh_h=case.capacity_veh_h,
        progress=_iteration,
    )
    result, hotspots = outcome.result, outcome.hotspots
    if not result.converged:
        _progress(f"not converged: gap {result.relative_gap:.3e} after {result.iterations} its")
    summary = {
        "period": case.period,
        "period_h": case.period_h,
        "demand": case.demand_source,
        "streets": str(args.streets),
        "zones": len(case.zone_ids),
        "algorithm": result.algorithm,
        "relative_gap": result.relative_gap,
        "target_gap": args.gap,
        "iterations": result.iterations,
        "converged": result.converged,
        "elapsed_s": round(result.elapsed_s, 3),
        "totals": outcome.totals(),
        "top_hotspots": outcome.top_hotspots(args.top),
        "attribution": "© OpenStreetMap contributors; Île-de-France Mobilités; RATP; Ville d'Issy",
    }
    written = outcome.write_exports(
        args.out,
        png=not args.no_png,
        extra={"summary.json": lambda path: _write_json(path, summary)},
    )
    _progress(f"wrote {', '.join(sorted(written))} to {args.out}")
    status = "converged" if result.converged else "NOT converged"
    print(
        f"{case.period}: gap {result.relative_gap:.2e} after {result.iterations} iterations "
        f"({status}); {len(hotspots)} hotspot(s); delay {result.total_delay_veh_h:.2f} veh-h"
    )
    for h in hotspots[: args.top]:
        names = ", ".join(h.street_names[:3]) or "unnamed streets"
        print(
            f"{h.rank:3d}. {names}: {h.total_delay_veh_h:.2f} veh-h, "
            f"v/c {h.max_volume_capacity:.2f}"
        )
    return 0


def _scenario(args: argparse.Namespace) -> int:
    from routing.traffic.scenarios import (
        ScenarioError,
        ScenarioInputs,
        close_street,
        remove_lane,
        run_scenario,
    )

    edits = [
        *(close_street(name) for name in args.close),
        *(close_street(way) for way in args.close_way),
        *(remove_lane(name) for name in args.remove_lane),
        *(remove_lane(way) for way in args.remove_lane_way),
    ]
    if not edits:
        raise ScenarioError(
            "a scenario needs an edit: --close STREET, --close-way ID, --remove-lane STREET "
            "or --remove-lane-way ID"
        )
    case = _load_case(args)
    base = ScenarioInputs(
        graph=case.graph,
        capacity_veh_h=case.capacity_veh_h,
        zone_nodes=case.zone_nodes,
        trips_veh_h=case.trips_veh_h,
        zone_ids=case.zone_ids,
        period=case.period,
        period_h=case.period_h,
        assign_options={
            "algorithm": args.algorithm,
            "relative_gap": args.gap,
            "max_iterations": args.max_iterations,
            "progress": _iteration,
        },
    )
    _progress(f"assigning the base case and the scenario ({case.period})")
    comparison = run_scenario(base, edits, min_volume_capacity=args.min_vc)
    summary = {"period": case.period, **comparison.summary(case.graph, top=args.top)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{args.out.name}.", dir=args.out.parent)
    os.close(handle)
    try:
        _write_json(Path(partial), summary)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    os.replace(partial, args.out)
    change = summary["vehicle_hours_change"]
    print(
        f"{', '.join(summary['edits'])}: {change:+.2f} vehicle-hours; hotspots "
        f"{summary['base']['hotspots']} -> {summary['scenario']['hotspots']}; wrote {args.out}"
    )
    return 0


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
