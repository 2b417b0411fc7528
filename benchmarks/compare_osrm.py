"""Our street routes against OSRM's on the same OSM file, the same pairs, per mode (issue 17).

OSRM comes from PyPI's osrm-bindings (abi3 wheels for Python 3.12 and later only: this
project runs 3.11), so it runs in a separate interpreter: the script makes a Python 3.12+
virtualenv once (``--venv``, default ``data/osrm/venv``, gitignored), installs
``osrm-bindings`` there with pip, and talks to :mod:`osrm_worker` through a subprocess and
JSON. OSRM uses its own ``car``, ``bicycle`` and ``foot`` profiles as shipped in the wheel
(``osrm/share/profiles``), with MLD (extract, partition, customize), on an OSM XML copy of the
source written here (Overpass JSON is not an input OSRM reads). Nothing of this is needed by
the tests or CI.

For each mode, ``--pairs`` pairs (default 300, seed ``--seed``) are drawn uniformly along our
mode's edges (:func:`route_correctness.random_points`, so the same pairs as that script), and
routed by time with both engines. Per mode it prints:

- ``no_route``: pairs with no route on our side only, on OSRM's only, on both;
- ``all_pairs`` and ``identical_paths``: the distance and duration ratios ours / OSRM
  (median, p10, p90) over the pairs both engines route, and over those whose paths are the
  same. Two paths are *the same* when every vertex of each lies within 5 m of the other line
  (a symmetric Hausdorff distance over vertices, in a local metric projection) and their
  lengths differ by at most 5 m + 1 %: the same streets, in the same order, with only the
  snapped ends apart. On those pairs a duration ratio is the two timing models alone;
- ``duration_ratio_without_node_delays``: the same with our car and bike node delays off
  (the speed shares alone), so the figures can be re-checked when turn costs land;
- ``along_ways_ratio``: our time without node delays over OSRM's time along the ways alone
  (its annotated segment durations, turn and signal penalties left out): how the speeds
  compare before any cost at a node; ``osrm_penalty_share``: the share of OSRM's time that
  its turn, signal and stop penalties make;
- ``checks``: issue 17's done-when figures on the same pairs
  (:func:`route_correctness.measure_mode`: 0 m routes, unreported jumps over 5 m,
  distance-metric routes longer than Dijkstra's).

``cases`` answers the barrier and turn-restriction cases of issue 17 with both engines: a
drive and a ride from end to end of the way through each barrier node, both directions
(bollards 7842987102 and 2915134547, gate 10693853131: cars must go round or find no route,
``through_node`` says whether the line passes within 1 m of the node, ``ends_at_node``
whether it starts or stops there, snapped onto it), and
the ``no_straight_on`` relation (way 1214548311 -> node 1918394779 -> way 1214548313) added
to a copy of the data (37 m without it, 109 m with it in OSRM and Valhalla).

With ``--valhalla`` the same pairs and cases also go to Valhalla (pyvalhalla 3.9, abi3 wheels
for 3.12+ too, installed in the same venv; its ``auto``, ``bicycle`` and ``pedestrian``
costings with their defaults, tiles built from a PBF copy by :mod:`valhalla_worker`), and
each mode's record gains a ``valhalla`` entry with the same ratios (no penalty split:
Valhalla's answer has none).

Usage: ``python benchmarks/compare_osrm.py [--pairs 300] [--seed 17] [--source FILE]
[--venv DIR] [--python python3.12] [--valhalla] [--[no-]turn-costs] [--[no-]bike-turn-costs]
[--car-signals-s S] [--dump-pairs FILE]``; prints one JSON record. ``--turn-costs``/
``--no-turn-costs`` force the car's turn costs (:mod:`routing.street.turn_costs`) on or off
on our side, ``--[no-]bike-turn-costs`` the bike's, and
``--car-signals-s`` replaces our car delay at traffic lights, so a calibration can be
measured before it ships; ``ours`` in the record says what was compared.
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import numpy as np
from numpy.typing import NDArray

from routing.errors import RoutingError
from routing.street.modes import DEFAULT_PROFILES, Mode, ModeProfile
from routing.street.network import StreetNetwork, build_artefact, open_street_network
from routing.street.timing import TimingProfile
from routing.street.turn_costs import BIKE_TURN_COSTS, CAR_TURN_COSTS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from route_correctness import measure_mode, random_points

_WEST_ISSY = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"
_OSRM_BINDINGS = "osrm-bindings==26.10.0"
_PYVALHALLA = "pyvalhalla==3.9.1"
_VALHALLA_COSTINGS: Mapping[Mode, str] = {
    Mode.DRIVE: "auto",
    Mode.BIKE: "bicycle",
    Mode.WALK: "pedestrian",
}
_OSRM_PROFILES: Mapping[Mode, str] = {Mode.DRIVE: "car", Mode.BIKE: "bicycle", Mode.WALK: "foot"}
_WORKERS = {
    "osrm": Path(__file__).resolve().parent / "osrm_worker.py",
    "valhalla": Path(__file__).resolve().parent / "valhalla_worker.py",
}
_SAME_PATH_M = 5.0
_SAME_LENGTH_SHARE = 0.01
# Issue 17's cases: barrier nodes cars must not pass, and a turn restriction added to a copy.
_BARRIERS = {
    7842987102: "bollard motor_vehicle=no, Sentier de la Belgique",
    2915134547: "bollard, Rue de Bourgogne",
    10693853131: "gate motor_vehicle=no, Allée Robert Schuman",
}
_FROM_WAY, _VIA_NODE, _TO_WAY = 1214548311, 1918394779, 1214548313
_BEFORE_VIA, _AFTER_VIA = 2514923118, 11252941998

LatLon = tuple[float, float]
Pair = tuple[LatLon, LatLon]


# --- the OSRM side --------------------------------------------------------------------------


def find_python(given: str | None) -> str:
    """A Python 3.12+ interpreter: ``given``, ``ISSY_OSRM_PYTHON``, or one found on the PATH
    or under pyenv."""
    candidates = [given, os.environ.get("ISSY_OSRM_PYTHON")]
    candidates += [shutil.which(f"python3.{minor}") for minor in (12, 13, 14)]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(glob.glob(str(pyenv / "3.1[2-9]*" / "bin" / "python3")))
    for candidate in candidates:
        if candidate and _is_312_or_later(candidate):
            return candidate
    raise SystemExit(
        "osrm-bindings needs Python 3.12 or later (abi3 wheels only) and none was found: "
        "pass --python /path/to/python3.12 or set ISSY_OSRM_PYTHON"
    )


def _is_312_or_later(python: str) -> bool:
    try:
        ran = subprocess.run(
            [python, "-c", "import sys; print(sys.version_info >= (3, 12))"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return False
    return ran.stdout.strip() == "True"


def ensure_venv(venv: Path, python: str | None, requirements: Sequence[str]) -> Path:
    """The venv's interpreter, with ``requirements`` pip-installed (each once)."""
    interpreter = venv / "bin" / "python"
    if not interpreter.is_file():
        subprocess.run([find_python(python), "-m", "venv", str(venv)], check=True)
    for requirement in requirements:
        ready = venv / f".installed-{requirement}"
        if not ready.is_file():
            subprocess.run(
                [str(interpreter), "-m", "pip", "install", "--quiet", requirement], check=True
            )
            ready.write_text(requirement + "\n")
    return interpreter


def run_engine(
    engine: str, interpreter: Path, work_dir: Path, jobs: Mapping[str, Any]
) -> dict[str, Any]:
    """Route every job's pairs with ``engine`` (osrm, valhalla) in the venv's interpreter."""
    request = {"work_dir": str(work_dir), "threads": 1, "jobs": jobs}
    ran = subprocess.run(
        [str(interpreter), str(_WORKERS[engine])],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if ran.returncode != 0:
        raise SystemExit(f"the {engine} worker failed:\n{ran.stderr[-4000:]}")
    answer: dict[str, Any] = json.loads(ran.stdout)
    return answer


def load_elements(source: Path) -> list[dict[str, Any]]:
    """The elements of an Overpass JSON file (plain or gzipped)."""
    opener = gzip.open if source.name.endswith(".gz") else open
    with opener(source, "rt", encoding="utf-8") as stream:
        elements: list[dict[str, Any]] = json.load(stream)["elements"]
    return elements


def write_osm_xml(elements: Iterable[Mapping[str, Any]], path: Path) -> Path:
    """Write Overpass JSON elements as OSM XML 0.6 (nodes, ways, relations in that order)."""
    by_kind: dict[str, list[Mapping[str, Any]]] = {"node": [], "way": [], "relation": []}
    for element in elements:
        by_kind.setdefault(element["type"], []).append(element)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="issy">']
    for node in by_kind["node"]:
        lines.append(
            f'<node id="{node["id"]}" version="1" lat="{node["lat"]}" lon="{node["lon"]}">'
            f"{_tags_xml(node)}</node>"
        )
    for way in by_kind["way"]:
        refs = "".join(f'<nd ref="{ref}"/>' for ref in way["nodes"])
        lines.append(f'<way id="{way["id"]}" version="1">{refs}{_tags_xml(way)}</way>')
    for relation in by_kind["relation"]:
        members = "".join(
            f'<member type="{m["type"]}" ref="{m["ref"]}" role={quoteattr(m["role"])}/>'
            for m in relation["members"]
        )
        lines.append(
            f'<relation id="{relation["id"]}" version="1">{members}{_tags_xml(relation)}</relation>'
        )
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_pbf(xml: Path) -> Path:
    """An .osm.pbf copy of an OSM XML file (Valhalla reads PBF only), by pyosmium."""
    import osmium

    pbf = xml.with_suffix(".osm.pbf")
    pbf.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(pbf))
    try:
        for entity in osmium.FileProcessor(str(xml)):
            writer.add(entity)
    finally:
        writer.close()
    return pbf


def _tags_xml(element: Mapping[str, Any]) -> str:
    tags: Mapping[str, Any] = element.get("tags", {})
    return "".join(f"<tag k={quoteattr(k)} v={quoteattr(str(v))}/>" for k, v in tags.items())


# --- comparing paths ------------------------------------------------------------------------


def _metres(coordinates: Sequence[Sequence[float]], lat0: float) -> NDArray[np.float64]:
    """Coordinates as x/y metres in a local equirectangular projection around ``lat0``."""
    array = np.asarray(coordinates, dtype=np.float64)
    scale = math.pi / 180 * 6_371_008.8
    return np.column_stack(
        (array[:, 1] * scale * math.cos(math.radians(lat0)), array[:, 0] * scale)
    )


def _farthest_vertex_m(points: NDArray[np.float64], line: NDArray[np.float64]) -> float:
    """The largest distance from one of ``points`` to the polyline ``line``."""
    if len(line) == 1:
        return float(np.linalg.norm(points - line[0], axis=1).max())
    a, b = line[:-1], line[1:]
    ab = b - a
    squared = np.maximum((ab * ab).sum(axis=1), 1e-12)
    ap = points[:, None, :] - a[None, :, :]
    t = np.clip((ap * ab[None, :, :]).sum(axis=2) / squared[None, :], 0.0, 1.0)
    nearest = a[None, :, :] + t[:, :, None] * ab[None, :, :]
    return float(np.linalg.norm(points[:, None, :] - nearest, axis=2).min(axis=1).max())


def same_path(
    ours: Sequence[Sequence[float]],
    theirs: Sequence[Sequence[float]],
    ours_m: float,
    theirs_m: float,
) -> bool:
    """Whether two routes follow the same streets: every vertex of each within 5 m of the other
    line, and lengths within 5 m + 1 %."""
    if abs(ours_m - theirs_m) > _SAME_PATH_M + _SAME_LENGTH_SHARE * max(ours_m, theirs_m):
        return False
    lat0 = float(ours[0][0])
    a, b = _metres(ours, lat0), _metres(theirs, lat0)
    return max(_farthest_vertex_m(a, b), _farthest_vertex_m(b, a)) <= _SAME_PATH_M


def spread(values: Sequence[float]) -> dict[str, float | int | None]:
    """Median, p10 and p90 of ratios (None when there are none)."""
    if not values:
        return {"n": 0, "median": None, "p10": None, "p90": None}
    array = np.asarray(values)
    return {
        "n": len(values),
        "median": round(float(np.median(array)), 3),
        "p10": round(float(np.percentile(array, 10)), 3),
        "p90": round(float(np.percentile(array, 90)), 3),
    }


# --- our side -------------------------------------------------------------------------------


def our_profiles(
    turn_costs: bool | None = None,
    car_signals_s: float | None = None,
    bike_turn_costs: bool | None = None,
) -> dict[Mode, ModeProfile]:
    """The default profiles, with the car's (bike's) turn costs forced on (True) or off
    (False) and the car's signal delay replaced when given: what ``--[no-]turn-costs``,
    ``--[no-]bike-turn-costs`` and ``--car-signals-s`` compare."""
    profiles = dict(DEFAULT_PROFILES)
    drive = profiles[Mode.DRIVE]
    if turn_costs is not None:
        drive = replace(drive, turn_costs=CAR_TURN_COSTS if turn_costs else None)
    if car_signals_s is not None:
        drive = replace(drive, timing=replace(drive.timing_profile, signals_s=car_signals_s))
    profiles[Mode.DRIVE] = drive
    if bike_turn_costs is not None:
        profiles[Mode.BIKE] = replace(
            profiles[Mode.BIKE], turn_costs=BIKE_TURN_COSTS if bike_turn_costs else None
        )
    return profiles


def without_node_delays(base: Mapping[Mode, ModeProfile]) -> dict[Mode, ModeProfile]:
    """``base`` with every node delay off (car speed shares and turn costs kept)."""
    profiles = {}
    for mode, profile in base.items():
        timing = profile.timing_profile
        shares_only = TimingProfile(
            share_of_limit=timing.share_of_limit, default_share=timing.default_share
        )
        profiles[mode] = replace(profile, timing=shares_only)
    return profiles


def open_networks(
    source: Path, cache: Path, profiles: Mapping[Mode, ModeProfile]
) -> tuple[StreetNetwork, StreetNetwork]:
    """Our engine on ``source`` with ``profiles``, and with their node delays off."""
    shipped_folder = cache / "shipped.streets"
    build_artefact(source, shipped_folder, profiles=dict(profiles))
    shipped = open_street_network(shipped_folder, cache_dir=cache)
    folder = cache / "without-delays.streets"
    build_artefact(source, folder, profiles=without_node_delays(profiles))
    return shipped, open_street_network(folder, cache_dir=cache)


def _ours(network: StreetNetwork, mode: Mode, pair: Pair) -> dict[str, Any]:
    try:
        route = network.router(mode).route(pair[0], pair[1], metric="time")
    except RoutingError as error:
        return {"error": type(error).__name__}
    return {
        "distance_m": route.distance_m,
        "duration_s": route.duration_s,
        "coordinates": route.coordinates,
    }


def compare_mode(
    shipped: StreetNetwork,
    plain: StreetNetwork,
    mode: Mode,
    pairs: Sequence[Pair],
    osrm_routes: Sequence[Mapping[str, Any]],
    rows: list[dict[str, Any]] | None = None,
    engine: str = "osrm",
) -> dict[str, Any]:
    """Ratios ours / OSRM on every pair both route and on the pairs with the same path;
    one row per pair both route appended to ``rows`` when given."""
    ratios: dict[str, dict[str, list[float]]] = {
        kind: {"distance": [], "duration": [], "plain": [], "along": [], "penalty": []}
        for kind in ("all_pairs", "identical_paths")
    }
    no_route = {"ours_only": 0, f"{engine}_only": 0, "both": 0}
    examples: list[dict[str, Any]] = []
    osrm_snapped_far = 0
    for pair, theirs in zip(pairs, osrm_routes, strict=True):
        ours = _ours(shipped, mode, pair)
        if "error" in ours or "error" in theirs:
            side = (
                "both"
                if "error" in ours and "error" in theirs
                else "ours_only"
                if "error" in ours
                else f"{engine}_only"
            )
            no_route[side] += 1
            if len(examples) < 5:
                examples.append(
                    {
                        "pair": pair,
                        "ours": ours.get("error", round(ours.get("distance_m", 0.0), 1)),
                        "osrm": theirs.get("error", theirs.get("distance_m")),
                        "osrm_snap_m": theirs.get("snap_m"),
                    }
                )
            continue
        if max(theirs["snap_m"]) > _SAME_PATH_M:
            osrm_snapped_far += 1
        without = _ours(plain, mode, pair)
        kinds = ["all_pairs"]
        if same_path(
            ours["coordinates"], theirs["coordinates"], ours["distance_m"], theirs["distance_m"]
        ):
            kinds.append("identical_paths")
        if rows is not None:
            rows.append(
                {
                    "mode": mode.value,
                    "engine": engine,
                    "pair": pair,
                    "identical": len(kinds) == 2,
                    "ours_m": ours["distance_m"],
                    "osrm_m": theirs["distance_m"],
                    "ours_s": ours["duration_s"],
                    "ours_without_node_delays_s": without.get("duration_s"),
                    "osrm_s": theirs["duration_s"],
                    "osrm_segments_s": theirs.get("segments_s"),
                }
            )
        for kind in kinds:
            if theirs["distance_m"] > 0:
                ratios[kind]["distance"].append(ours["distance_m"] / theirs["distance_m"])
            if theirs["duration_s"] > 0 and "error" not in without:
                ratios[kind]["duration"].append(ours["duration_s"] / theirs["duration_s"])
                ratios[kind]["plain"].append(without["duration_s"] / theirs["duration_s"])
                if theirs.get("segments_s"):
                    ratios[kind]["penalty"].append(1 - theirs["segments_s"] / theirs["duration_s"])
                    ratios[kind]["along"].append(without["duration_s"] / theirs["segments_s"])
    profile = _OSRM_PROFILES[mode] if engine == "osrm" else _VALHALLA_COSTINGS[mode]
    record: dict[str, Any] = {f"{engine}_profile": profile, "no_route": no_route}
    record["no_route_examples"] = examples
    record[f"{engine}_snapped_over_5m"] = osrm_snapped_far
    for kind, values in ratios.items():
        record[kind] = {
            "distance_ratio": spread(values["distance"]),
            "duration_ratio": spread(values["duration"]),
            "duration_ratio_without_node_delays": spread(values["plain"]),
        }
        if engine == "osrm":
            record[kind]["along_ways_ratio"] = spread(values["along"])
            record[kind]["osrm_penalty_share"] = spread(values["penalty"])
    return record


# --- issue 17's cases -----------------------------------------------------------------------


def _passes_m(point: LatLon, coordinates: Sequence[Sequence[float]]) -> float:
    """How close a route's line comes to ``point``, in metres."""
    line = _metres(coordinates, point[0])
    return _farthest_vertex_m(_metres([point], point[0]), line)


def barrier_pairs(elements: Sequence[Mapping[str, Any]]) -> dict[int, list[Pair]]:
    """For each barrier node: the two ends of a way through it, one way and back (the drive
    along the whole way passes the barrier unless it goes round)."""
    nodes = {e["id"]: e for e in elements if e["type"] == "node"}
    pairs: dict[int, list[Pair]] = {}
    for way in (e for e in elements if e["type"] == "way"):
        refs: list[int] = way["nodes"]
        for barrier in _BARRIERS:
            if barrier in refs[1:-1] and barrier not in pairs:
                first, last = nodes[refs[0]], nodes[refs[-1]]
                a = (float(first["lat"]), float(first["lon"]))
                b = (float(last["lat"]), float(last["lon"]))
                pairs[barrier] = [(a, b), (b, a)]
    return pairs


def restriction_pair(elements: Sequence[Mapping[str, Any]]) -> Pair:
    """Midway along the from way's last segment, and along the to way's first one."""
    nodes = {e["id"]: e for e in elements if e["type"] == "node"}
    via, before, after = nodes[_VIA_NODE], nodes[_BEFORE_VIA], nodes[_AFTER_VIA]
    return (
        ((before["lat"] + via["lat"]) / 2, (before["lon"] + via["lon"]) / 2),
        ((after["lat"] + via["lat"]) / 2, (after["lon"] + via["lon"]) / 2),
    )


def restriction_relation() -> dict[str, Any]:
    return {
        "type": "relation",
        "id": 1,
        "members": [
            {"type": "way", "ref": _FROM_WAY, "role": "from"},
            {"type": "node", "ref": _VIA_NODE, "role": "via"},
            {"type": "way", "ref": _TO_WAY, "role": "to"},
        ],
        "tags": {"type": "restriction", "restriction": "no_straight_on"},
    }


def _summary(answer: Mapping[str, Any], through: LatLon | None = None) -> dict[str, Any]:
    if "error" in answer:
        return {"error": answer["error"]}
    summary: dict[str, Any] = {"distance_m": round(float(answer["distance_m"]), 1)}
    if through is not None:
        coordinates = answer["coordinates"]
        ends_m = [_passes_m(through, [end]) for end in (coordinates[0], coordinates[-1])]
        near = _passes_m(through, coordinates) < 1.0
        summary["through_node"] = near and min(ends_m) >= 1.0
        summary["ends_at_node"] = min(ends_m) < 1.0
    return summary


def _at(elements: Sequence[Mapping[str, Any]], node: int) -> LatLon:
    found = next(e for e in elements if e["type"] == "node" and e["id"] == node)
    return (float(found["lat"]), float(found["lon"]))


# --- the run --------------------------------------------------------------------------------


def engine_jobs(
    engine: str,
    files: Mapping[str, Path],
    pairs: Mapping[Mode, Sequence[Pair]],
    barriers: Mapping[int, list[Pair]],
    turn: Pair,
) -> dict[str, Any]:
    """One engine's jobs: every mode's pairs, the barrier drives and rides, the turn case on
    the plain and the restricted file (``files``: ``plain``, ``restricted``)."""
    file_key, profile_key = ("osm", "profile") if engine == "osrm" else ("pbf", "costing")
    profiles = _OSRM_PROFILES if engine == "osrm" else _VALHALLA_COSTINGS

    def job(mode: Mode, file: Path, some: Iterable[Pair]) -> dict[str, Any]:
        flat = [[*a, *b] for a, b in some]
        return {file_key: str(file), profile_key: profiles[mode], "pairs": flat}

    jobs = {mode.value: job(mode, files["plain"], pairs[mode]) for mode in Mode}
    for mode in (Mode.DRIVE, Mode.BIKE):
        crossing = [pair for both in barriers.values() for pair in both]
        jobs[f"barriers_{mode.value}"] = job(mode, files["plain"], crossing)
        for kind, file in (("with", files["restricted"]), ("without", files["plain"])):
            jobs[f"no_straight_on_{mode.value}_{kind}"] = job(mode, file, [turn])
    return jobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--source", type=Path, default=None, help="Overpass JSON (.json[.gz])")
    parser.add_argument("--venv", type=Path, default=Path("data/osrm/venv"))
    parser.add_argument("--work-dir", type=Path, default=Path("data/osrm/work"))
    parser.add_argument("--python", default=None, help="a Python 3.12+ to make the venv with")
    parser.add_argument(
        "--valhalla", action="store_true", help="also compare with Valhalla (pyvalhalla 3.9)"
    )
    parser.add_argument(
        "--turn-costs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="force the car's turn costs on or off on our side (default: as shipped)",
    )
    parser.add_argument(
        "--bike-turn-costs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="force the bike's turn costs on or off on our side (default: as shipped)",
    )
    parser.add_argument(
        "--car-signals-s", type=float, default=None, help="our car delay at traffic lights (s)"
    )
    parser.add_argument(
        "--dump-pairs", type=Path, default=None, help="also write every compared pair (JSON)"
    )
    args = parser.parse_args(argv)
    source = args.source
    if source is None:
        shared = Path(os.environ.get("ISSY_SHARED_DATA", "../shared/data"))
        source = shared / _WEST_ISSY
    started = time.perf_counter()
    engines = ["osrm", "valhalla"] if args.valhalla else ["osrm"]
    requirements = [_OSRM_BINDINGS] + ([_PYVALHALLA] if args.valhalla else [])
    interpreter = ensure_venv(args.venv.resolve(), args.python, requirements)
    work_dir = args.work_dir.resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    elements = load_elements(source)
    osm = write_osm_xml(elements, work_dir / "west.osm")
    restricted_osm = write_osm_xml([*elements, restriction_relation()], work_dir / "west_nso.osm")
    files = {"osrm": {"plain": osm, "restricted": restricted_osm}}
    if args.valhalla:
        files["valhalla"] = {"plain": write_pbf(osm), "restricted": write_pbf(restricted_osm)}
    record: dict[str, Any] = {
        "source": str(source),
        "pairs_per_mode": args.pairs,
        "seed": args.seed,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "identical_path_rule": (
            f"every vertex of each line within {_SAME_PATH_M:g} m of the other, lengths within "
            f"{_SAME_PATH_M:g} m + {_SAME_LENGTH_SHARE:.0%}"
        ),
    }
    with tempfile.TemporaryDirectory() as cache:
        profiles = our_profiles(args.turn_costs, args.car_signals_s, args.bike_turn_costs)
        record["ours"] = {
            "drive_turn_costs": profiles[Mode.DRIVE].turn_costs is not None,
            "bike_turn_costs": profiles[Mode.BIKE].turn_costs is not None,
            "drive_signals_s": profiles[Mode.DRIVE].timing_profile.signals_s,
        }
        shipped, plain = open_networks(source, Path(cache), profiles)
        pairs: dict[Mode, list[Pair]] = {}
        for mode in Mode:
            rng = np.random.default_rng(args.seed)
            router = shipped.router(mode)
            origins = random_points(router, args.pairs, rng)
            destinations = random_points(router, args.pairs, rng)
            pairs[mode] = list(zip(origins, destinations, strict=True))
        barriers = barrier_pairs(elements)
        turn = restriction_pair(elements)
        done: dict[str, Any] = {}
        for engine in engines:
            jobs = engine_jobs(engine, files[engine], pairs, barriers, turn)
            answer = run_engine(engine, interpreter, work_dir, jobs)
            version_key = "osrm_bindings" if engine == "osrm" else "pyvalhalla"
            record[version_key] = answer[version_key]
            done[engine] = answer["jobs"]
        rows: list[dict[str, Any]] = []
        for mode in Mode:
            routes = done["osrm"][mode.value]["routes"]
            compared = compare_mode(shipped, plain, mode, pairs[mode], routes, rows)
            compared["osrm_prepare_cpu_s"] = done["osrm"][mode.value]["prepare_cpu_s"]
            if "valhalla" in done:
                theirs = done["valhalla"][mode.value]["routes"]
                compared["valhalla"] = compare_mode(
                    shipped, plain, mode, pairs[mode], theirs, rows, engine="valhalla"
                )
            compared["checks"] = measure_mode(shipped.router(mode), args.pairs, args.seed)
            record[mode.value] = compared
        record["cases"] = _cases(shipped, elements, barriers, turn, done, Path(cache), profiles)
    if args.dump_pairs is not None:
        args.dump_pairs.write_text(json.dumps(rows))
    record["elapsed_s"] = round(time.perf_counter() - started, 1)
    json.dump(record, sys.stdout, indent=2)
    print()
    return 0


def _cases(
    shipped: StreetNetwork,
    elements: list[dict[str, Any]],
    barriers: Mapping[int, list[Pair]],
    turn: Pair,
    done: Mapping[str, Mapping[str, Any]],
    cache: Path,
    profiles: Mapping[Mode, ModeProfile],
) -> dict[str, Any]:
    """Issue 17's barrier and turn-restriction cases, ours beside each engine's."""
    cases: dict[str, Any] = {}
    for mode in (Mode.DRIVE, Mode.BIKE):
        theirs = {
            engine: iter(jobs[f"barriers_{mode.value}"]["routes"]) for engine, jobs in done.items()
        }
        for node, both in barriers.items():
            at = _at(elements, node)
            for direction, pair in zip(("along", "back"), both, strict=True):
                case = cases.setdefault(f"barrier_{node}", {"what": _BARRIERS[node]})
                answers = {"ours": _summary(_ours(shipped, mode, pair), at)}
                for engine, routes in theirs.items():
                    answers[engine] = _summary(next(routes), at)
                case[f"{mode.value}_{direction}"] = answers
    copy = cache / "restricted" / "west_issy_no_straight_on.json"
    copy.parent.mkdir()
    copy.write_text(json.dumps({"elements": [*elements, restriction_relation()]}))
    folder = copy.parent / "restricted.streets"
    build_artefact(copy, folder, modes=[Mode.DRIVE, Mode.BIKE], profiles=dict(profiles))
    restricted = open_street_network(folder, cache_dir=copy.parent)
    for mode in (Mode.DRIVE, Mode.BIKE):
        case = {
            "without_relation_ours": _summary(_ours(shipped, mode, turn)),
            "with_relation_ours": _summary(_ours(restricted, mode, turn)),
        }
        for engine, jobs in done.items():
            for kind in ("without", "with"):
                answer = jobs[f"no_straight_on_{mode.value}_{kind}"]["routes"][0]
                case[f"{kind}_relation_{engine}"] = _summary(answer)
        cases[f"no_straight_on_{mode.value}"] = case
    return cases


if __name__ == "__main__":
    raise SystemExit(main())
