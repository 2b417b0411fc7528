"""Route pairs with Valhalla (pyvalhalla) and print the answers as JSON: the second engine of
``benchmarks/compare_osrm.py --valhalla``.

Like :mod:`osrm_worker` it runs in the Python 3.12+ venv (pyvalhalla ships abi3 wheels for
3.12 and later), imports nothing of this project, reads one JSON request on stdin and writes
one JSON answer on stdout. The request::

    {"work_dir": "/path/work",
     "jobs": {"drive": {"pbf": "/path/west.osm.pbf", "costing": "auto",
                        "pairs": [[lat, lon, lat, lon], ...]}, ...}}

For each PBF file it builds Valhalla's tiles once (``valhalla_build_tiles`` as shipped in the
wheel, its default configuration from ``valhalla.get_config``, one thread) under
``work_dir``, then routes every pair of the job with the costing named (``auto``,
``bicycle``, ``pedestrian``: Valhalla's defaults, unchanged). Each answer is
``{"distance_m", "duration_s", "coordinates" ([lat, lon] pairs), "snap_m" ([origin,
destination]: from the asked point to the line's ends)}`` or ``{"error": message}``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _prepare(pbf: Path, work_dir: Path) -> tuple[Path, float]:
    """Build the tiles of ``pbf`` once; the path of the configuration that serves them."""
    digest = hashlib.sha256(pbf.read_bytes()).hexdigest()[:12]
    folder = work_dir / f"valhalla-{pbf.name.split('.')[0]}-{digest}"
    config_path = folder / "valhalla.json"
    done = folder / "built"
    if done.is_file():
        return config_path, 0.0
    tiles = folder / "tiles"
    tiles.mkdir(parents=True, exist_ok=True)
    valhalla = importlib.import_module("valhalla")
    config = valhalla.get_config(tile_extract="", tile_dir=str(tiles))
    config["mjolnir"]["concurrency"] = 1
    config_path.write_text(json.dumps(config))
    build = Path(str(valhalla.__file__)).parent / "bin" / "valhalla_build_tiles"
    started = _children_cpu_s()
    ran = subprocess.run(
        [str(build), "-c", str(config_path), str(pbf)],
        capture_output=True,
        text=True,
        check=False,
    )
    if ran.returncode != 0:
        raise SystemExit(f"valhalla_build_tiles failed:\n{ran.stdout[-3000:]}\n{ran.stderr}")
    done.write_text("ok\n")
    return config_path, _children_cpu_s() - started


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _decode_polyline6(encoded: str) -> list[list[float]]:
    """Valhalla's shapes: Google's encoded polyline at precision 6, as [lat, lon] pairs."""
    coordinates: list[list[float]] = []
    index = lat = lon = 0
    while index < len(encoded):
        deltas = []
        for _ in range(2):
            shift = result = 0
            while True:
                byte = ord(encoded[index]) - 63
                index += 1
                result |= (byte & 0x1F) << shift
                shift += 5
                if byte < 0x20:
                    break
            deltas.append(~(result >> 1) if result & 1 else result >> 1)
        lat += deltas[0]
        lon += deltas[1]
        coordinates.append([lat / 1e6, lon / 1e6])
    return coordinates


def _gap_m(a: list[float], b: list[float]) -> float:
    """Haversine distance between two [lat, lon] points, in metres."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _answer(actor: Any, costing: str, pair: list[float]) -> dict[str, Any]:
    lat_a, lon_a, lat_b, lon_b = pair
    query = {
        "locations": [{"lat": lat_a, "lon": lon_a}, {"lat": lat_b, "lon": lon_b}],
        "costing": costing,
        "directions_type": "none",
        "units": "kilometers",
    }
    try:
        answer = actor.route(query)
    except RuntimeError as error:  # ValhallaError derives from RuntimeError
        return {"error": str(error)[:200]}
    trip = json.loads(answer)["trip"] if isinstance(answer, str) else answer["trip"]
    coordinates: list[list[float]] = []
    for leg in trip["legs"]:
        coordinates.extend(_decode_polyline6(leg["shape"]))
    return {
        "distance_m": trip["summary"]["length"] * 1000,
        "duration_s": trip["summary"]["time"],
        "coordinates": coordinates,
        "snap_m": [_gap_m([lat_a, lon_a], coordinates[0]), _gap_m([lat_b, lon_b], coordinates[-1])],
    }


def main() -> int:
    request = json.load(sys.stdin)
    valhalla = importlib.import_module("valhalla")
    work_dir = Path(request["work_dir"])
    answer: dict[str, Any] = {"pyvalhalla": _version(), "jobs": {}}
    for name, spec in request["jobs"].items():
        config_path, prepare_cpu_s = _prepare(Path(spec["pbf"]), work_dir)
        actor = valhalla.Actor(str(config_path))
        started = time.process_time()
        routes = [_answer(actor, spec["costing"], pair) for pair in spec["pairs"]]
        answer["jobs"][name] = {
            "costing": spec["costing"],
            "prepare_cpu_s": round(prepare_cpu_s, 2),
            "route_cpu_s": round(time.process_time() - started, 3),
            "routes": routes,
        }
    json.dump(answer, sys.stdout)
    return 0


def _version() -> str:
    from importlib.metadata import version

    return version("pyvalhalla")


if __name__ == "__main__":
    raise SystemExit(main())
