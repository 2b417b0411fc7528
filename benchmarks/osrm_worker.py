"""Route pairs with OSRM (osrm-bindings) and print the answers as JSON: the far side of
``benchmarks/compare_osrm.py``.

It runs in its own Python 3.12+ interpreter (osrm-bindings ships abi3 wheels for 3.12 and
later only), imports nothing of this project, reads one JSON request on stdin and writes one
JSON answer on stdout. The request::

    {"work_dir": "/path/work", "threads": 1,
     "jobs": {"drive": {"osm": "/path/west.osm", "profile": "car",
                        "pairs": [[lat, lon, lat, lon], ...]}, ...}}

For each job it runs ``osrm-extract`` with the profile shipped in the wheel
(``osrm/share/profiles/<profile>.lua``, OSRM's own, unchanged), then ``osrm-partition`` and
``osrm-customize`` (MLD), once per OSM file and profile (kept under ``work_dir``), and routes
every pair of the job with ``overview=full``, GeoJSON geometry and the ``nodes``/``distance``/
``duration`` annotations. Each answer is ``{"distance_m", "duration_s", "weight",
"segments_s" (the annotated durations' sum: along the ways, turn and signal penalties left
out), "coordinates" ([lat, lon] pairs), "nodes" (OSM node ids), "snap_m" ([origin,
destination])}`` or ``{"error": code}`` (``NoRoute``, ``NoSegment``...).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _profile_path(name: str) -> Path:
    osrm = importlib.import_module("osrm")
    path = Path(str(osrm.__file__)).parent / "share" / "profiles" / f"{name}.lua"
    if not path.is_file():
        raise SystemExit(f"osrm-bindings ships no profile {name}.lua at {path.parent}")
    return path


def _prepare(osm: Path, profile: str, work_dir: Path, threads: int) -> tuple[Path, float]:
    """Extract, partition and customize ``osm`` with ``profile`` once; the .osrm base path."""
    digest = hashlib.sha256(osm.read_bytes()).hexdigest()[:12]
    folder = work_dir / f"{osm.stem}-{digest}-{profile}"
    base = folder / f"{osm.stem}.osrm"
    done = folder / "customized"
    if done.is_file():
        return base, 0.0
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / osm.name
    copy.write_bytes(osm.read_bytes())
    started = _children_cpu_s()
    tool = [sys.executable, "-m", "osrm"]
    steps = [
        ["extract", "-p", str(_profile_path(profile)), "-t", str(threads), str(copy)],
        ["partition", "-t", str(threads), str(base)],
        ["customize", "-t", str(threads), str(base)],
    ]
    for step in steps:
        ran = subprocess.run(tool + step, capture_output=True, text=True, check=False)
        if ran.returncode != 0:
            raise SystemExit(f"osrm {step[0]} failed for {profile}:\n{ran.stdout}\n{ran.stderr}")
    done.write_text("ok\n")
    return base, _children_cpu_s() - started


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _answer(engine: Any, osrm: Any, pair: list[float]) -> dict[str, Any]:
    lat_a, lon_a, lat_b, lon_b = pair
    params = osrm.RouteParameters(
        coordinates=[(lon_a, lat_a), (lon_b, lat_b)],
        overview="full",
        geometries="geojson",
        annotations=["nodes", "distance", "duration"],
        generate_hints=False,
    )
    try:
        result = engine.Route(params)
    except RuntimeError as error:
        return {"error": str(error).split(" - ")[0] or "RuntimeError"}
    plain = _plain(result)
    if plain.get("code") != "Ok":
        return {"error": plain.get("code", "unknown")}
    route = plain["routes"][0]
    nodes: list[int] = []
    segments_s = 0.0
    for leg in route["legs"]:
        annotation = leg.get("annotation", {})
        nodes.extend(int(n) for n in annotation.get("nodes", []))
        segments_s += sum(annotation.get("duration", []))
    return {
        "distance_m": route["distance"],
        "duration_s": route["duration"],
        "weight": route["weight"],
        "segments_s": segments_s,
        "coordinates": [[lat, lon] for lon, lat in route["geometry"]["coordinates"]],
        "nodes": nodes,
        "snap_m": [w["distance"] for w in plain["waypoints"]],
    }


def _plain(value: Any) -> Any:
    """osrm-bindings answers with its own Object (iterates over its keys) and Array types:
    turn them into plain JSON values."""
    kind = type(value).__name__
    if kind == "Object":
        return {key: _plain(value[key]) for key in value}
    if kind == "Array":
        return [_plain(item) for item in value]
    return value


def main() -> int:
    request = json.load(sys.stdin)
    osrm = importlib.import_module("osrm")
    work_dir = Path(request["work_dir"])
    answer: dict[str, Any] = {"osrm_bindings": _version(), "jobs": {}}
    for name, spec in request["jobs"].items():
        osm = Path(spec["osm"])
        base, prepare_cpu_s = _prepare(osm, spec["profile"], work_dir, int(request["threads"]))
        engine = osrm.OSRM(algorithm="MLD", storage_config=str(base), use_shared_memory=False)
        started = time.process_time()
        routes = [_answer(engine, osrm, pair) for pair in spec["pairs"]]
        answer["jobs"][name] = {
            "profile": spec["profile"],
            "prepare_cpu_s": round(prepare_cpu_s, 2),
            "route_cpu_s": round(time.process_time() - started, 3),
            "routes": routes,
        }
    json.dump(answer, sys.stdout)
    return 0


def _version() -> str:
    from importlib.metadata import version

    return version("osrm-bindings")


if __name__ == "__main__":
    raise SystemExit(main())
