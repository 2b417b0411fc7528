"""Sub-commands on street networks: build and inspect artefacts, route, isochrones, benchmark."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from marketplace.i18n import DEFAULT_LANGUAGE, LANGUAGES
from marketplace.i18n.steps import step_instruction
from marketplace.streets import ARTEFACT_CACHE_DIR, ISSY_DOWNLOAD_DIR, default_streets_source
from routing.errors import NoStreetNetworkError
from routing.street.modes import DEFAULT_PROFILES, Mode, default_profiles
from routing.street.readers.sources import detect_street_source
from routing.street.turn_costs import BIKE_TURN_COSTS, CAR_TURN_COSTS, TurnCostProfile

__all__ = ["parse_latlon", "register"]

_STREETS_HELP = (
    "street network: an OSM file (.osm/.osm.gz/.osm.bz2/.osm.pbf), Overpass JSON, GraphML, "
    "a node/edge topology CSV (or its prefix) or a built artefact folder "
    "(default: $ISSY_STREETS, then the cached Issy download)"
)


def parse_latlon(text: str) -> tuple[float, float]:
    """Parse ``"LAT,LON"`` for argparse, with a message that shows the accepted form."""
    parts = text.replace(" ", "").split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        return float(parts[0]), float(parts[1])
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a coordinate; accepted: LAT,LON in decimal degrees, "
            "e.g. 48.8245,2.2700"
        ) from None


def _add_streets(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--streets", default=None, help=_STREETS_HELP)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    graph = subparsers.add_parser("graph", help="build, download and inspect street networks")
    graph_commands = graph.add_subparsers(dest="graph_command", required=True, metavar="ACTION")

    build = graph_commands.add_parser("build", help="compile a street source into an artefact")
    _add_streets(build)
    build.add_argument("--out", type=Path, default=None, help="artefact folder to write")
    build.add_argument(
        "--modes",
        default="walk,bike,drive",
        help="comma-separated modes (fewer than all three need --out)",
    )
    build.add_argument("--walk-speed", type=float, default=DEFAULT_PROFILES[Mode.WALK].speed_kmh)
    build.add_argument("--bike-speed", type=float, default=DEFAULT_PROFILES[Mode.BIKE].speed_kmh)
    build.add_argument(
        "--turn-costs",
        default=None,
        metavar="MODES",
        help="comma-separated modes (drive, bike) to build with turn costs by angle and "
        "U-turn costs, or 'none' (default: the source's: drive,bike for tagged OSM, "
        "none for a topology CSV); a build other than the default needs --out",
    )
    build.set_defaults(handler=_graph_build)

    info = graph_commands.add_parser("info", help="counts and coverage of a street network")
    _add_streets(info)
    info.add_argument("--json", action="store_true", help="print the manifest as JSON")
    info.set_defaults(handler=_graph_info)

    download = graph_commands.add_parser(
        "download", help="download Issy-les-Moulineaux (+1 km) from OpenStreetMap (online)"
    )
    download.add_argument("--margin-m", type=float, default=1000.0)
    download.set_defaults(handler=_graph_download)

    route = subparsers.add_parser("route", help="route between two points on the streets")
    _add_streets(route)
    route.add_argument("--from", dest="origin", type=parse_latlon, required=True, metavar="LAT,LON")
    route.add_argument(
        "--to", dest="destination", type=parse_latlon, required=True, metavar="LAT,LON"
    )
    route.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.WALK.value)
    route.add_argument("--metric", choices=["time", "distance"], default="time")
    route.add_argument("--geojson", action="store_true", help="print a GeoJSON Feature")
    route.add_argument(
        "--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, help="language of the steps"
    )
    route.set_defaults(handler=_route)

    isochrone = subparsers.add_parser("isochrone", help="area reachable within a time budget")
    _add_streets(isochrone)
    isochrone.add_argument(
        "--from", dest="origin", type=parse_latlon, required=True, metavar="LAT,LON"
    )
    isochrone.add_argument("--minutes", type=float, default=10.0)
    isochrone.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.WALK.value)
    isochrone.set_defaults(handler=_isochrone)

    bench = subparsers.add_parser("bench", help="benchmarks")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True, metavar="WHAT")
    routing_bench = bench_commands.add_parser(
        "routing", help="the engine against networkx on the same random pairs"
    )
    _add_streets(routing_bench)
    routing_bench.add_argument("--pairs", type=int, default=1000)
    routing_bench.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.DRIVE.value)
    routing_bench.add_argument(
        "--tile", type=int, default=1, help="tile the network N x N times (a bigger graph)"
    )
    routing_bench.add_argument(
        "--baseline-pairs", type=int, default=None, help="pairs also timed with networkx"
    )
    routing_bench.add_argument(
        "--baseline",
        choices=["routingkit"],
        default=None,
        help="also time RoutingKit's CCH on the same graph and pairs (the optional bench extra)",
    )
    routing_bench.add_argument("--seed", type=int, default=42)
    routing_bench.add_argument("--json", action="store_true", help="print the record as JSON")
    routing_bench.set_defaults(handler=_bench_routing)


def _source(args: argparse.Namespace) -> Path:
    source = default_streets_source(args.streets)
    if source is None:
        raise NoStreetNetworkError(
            "no street network given: pass --streets PATH (OSM, GraphML, topology CSV or an "
            "artefact), set ISSY_STREETS, or run `issy-mobility graph download` while online"
        )
    return source


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _graph_build(args: argparse.Namespace) -> int:
    from routing.street.network import build_artefact, cached_artefact_folder

    source = _source(args)
    modes = tuple(Mode(m.strip()) for m in args.modes.split(",") if m.strip())
    defaults = default_profiles(tagged=detect_street_source(source).kind.tagged)
    profiles = {
        **defaults,
        Mode.WALK: replace(defaults[Mode.WALK], speed_kmh=args.walk_speed),
        Mode.BIKE: replace(defaults[Mode.BIKE], speed_kmh=args.bike_speed),
    }
    if args.turn_costs is not None:
        turns = _turn_costs(args.turn_costs)
        for mode in (Mode.DRIVE, Mode.BIKE):
            profiles[mode] = replace(profiles[mode], turn_costs=turns.get(mode))
    if args.out is None and profiles != defaults:
        # The cache folder is keyed by the source and the build rules: it holds the default
        # build, which every command that opens this source serves.
        raise ValueError(
            "--turn-costs, --walk-speed or --bike-speed other than the source's defaults "
            "need --out FOLDER: the artefact cache holds default builds only"
        )
    if args.out is None and set(modes) != set(Mode):
        # A cached build without walking (say) would be served as this source's network.
        raise ValueError(
            f"--modes {','.join(m.value for m in modes)} needs --out FOLDER: the artefact "
            f"cache holds builds of every mode ({','.join(m.value for m in Mode)})"
        )
    out = args.out or cached_artefact_folder(source, ARTEFACT_CACHE_DIR)
    manifest = build_artefact(source, out, modes=modes, profiles=profiles, progress=_progress)
    _print_info(manifest, out)
    return 0


def _turn_costs(text: str) -> dict[Mode, TurnCostProfile]:
    """The turn-cost profiles ``--turn-costs`` asks for, by mode (``none``: none)."""
    known = {Mode.DRIVE: CAR_TURN_COSTS, Mode.BIKE: BIKE_TURN_COSTS}
    names = [n.strip() for n in text.split(",") if n.strip()]
    if names == ["none"]:
        return {}
    unknown = [n for n in names if n not in {m.value for m in known}]
    if unknown or not names:
        raise ValueError(
            f"--turn-costs {text!r}: {', '.join(unknown) or 'no mode'}; accepted: a "
            "comma-separated list of drive, bike, or none"
        )
    return {Mode(n): known[Mode(n)] for n in names}


def _open(args: argparse.Namespace, modes: tuple[Mode, ...] | None = None) -> Any:
    from routing.street.network import open_street_network

    return open_street_network(
        _source(args), cache_dir=ARTEFACT_CACHE_DIR, modes=modes, progress=_progress
    )


def _graph_info(args: argparse.Namespace) -> int:
    network = _open(args)
    if args.json:
        print(json.dumps(dict(network.manifest), indent=2, ensure_ascii=False))
    else:
        _print_info(network.manifest, network.path)
    return 0


def _print_info(manifest: Any, folder: Path) -> None:
    print(f"artefact  {folder}")
    print(f"source    {manifest['source']}")
    print(f"built at  {manifest['built_at']}")
    for mode, entry in manifest["modes"].items():
        west, south, east, north = entry["bbox"]
        print(
            f"{mode:6s}  {entry['nodes']:>9,} nodes  {entry['edges']:>9,} edges  "
            f"{entry['total_length_km']:>9,.1f} km  named {entry['named_edges']:,} edges  "
            f"lat {south:.4f}..{north:.4f} lon {west:.4f}..{east:.4f}"
        )
        for warning in entry.get("warnings", []):
            print(f"        warning: {warning}")


def _graph_download(args: argparse.Namespace) -> int:
    from routing.regions.issy import download_issy_osm

    path = download_issy_osm(ISSY_DOWNLOAD_DIR, margin_m=args.margin_m)
    print(f"Issy street data saved to {path}; build it with `issy-mobility graph build`")
    return 0


def _route(args: argparse.Namespace) -> int:
    mode = Mode(args.mode)
    network = _open(args, (mode,))
    route = network.router(mode).route(args.origin, args.destination, metric=args.metric)
    if args.geojson:
        print(json.dumps(route.geojson(), ensure_ascii=False))
        return 0
    minutes = route.duration_s / 60
    print(f"{mode.value}: {route.distance_m / 1000:.2f} km, {minutes:.1f} min")
    for number, step in enumerate(route.steps, start=1):
        print(f"{number:3d}. {step_instruction(step, args.lang)}")
    for warning in route.warnings:
        print(f"warning: {warning}")
    print("© OpenStreetMap contributors (ODbL)")
    return 0


def _isochrone(args: argparse.Namespace) -> int:
    mode = Mode(args.mode)
    network = _open(args, (mode,))
    feature = network.router(mode).isochrone(args.origin, args.minutes * 60)
    print(json.dumps(feature, ensure_ascii=False))
    return 0


def _bench_routing(args: argparse.Namespace) -> int:
    from routing.street.benchmark import run_routing_benchmark

    record = run_routing_benchmark(
        _source(args),
        mode=Mode(args.mode),
        pairs=args.pairs,
        tile=args.tile,
        baseline_pairs=args.baseline_pairs,
        seed=args.seed,
        progress=_progress,
        baseline=args.baseline,
    )
    if args.json:
        print(json.dumps(record, indent=2))
    else:
        for key, value in record.items():
            print(f"{key:32s} {value}")
    return 0
