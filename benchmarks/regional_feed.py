"""A regional-size GTFS feed around Issy: **synthetic timetable on real stop positions**.

No real regional timetable (stop_times) of the Issy area is on these machines, so this writes
one: the stops are real (RATP's 2019 ``stops.txt`` from ``../shared/data/transit``, © RATP,
ODbL), kept within ``radius_m`` of Issy; the lines and their times are made up. Each line
chains real stops in a rough heading (a new stop 250 to 700 m on for a bus, 600 to 1,400 m
for a metro-like line), runs both ways from 05:30 to 00:30 every few minutes, at a bus's or a
metro's pace with a dwell at each stop. Route names say "synthetic timetable" so nobody takes
them for RATP's lines.

``write_feed`` returns the zip's path and what it holds (stops, routes, trips, stop_times).
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import math
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

__all__ = ["ISSY_CENTRE", "RegionalFeed", "write_feed"]

#: Mairie d'Issy (metro 12), the middle of the area the feed covers.
ISSY_CENTRE = (48.8245, 2.2736)
_EARTH_M = 6_371_000.0
_FIRST_S = 5 * 3600 + 30 * 60
_LAST_S = 24 * 3600 + 30 * 60


@dataclass(frozen=True)
class RegionalFeed:
    path: Path
    stops: int
    routes: int
    trips: int
    stop_times: int
    bbox: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


@dataclass(frozen=True)
class _Kind:
    route_type: int
    spacing_m: tuple[float, float]
    stops: tuple[int, int]
    speed_mps: float
    dwell_s: int
    headways_s: tuple[int, ...]


_BUS = _Kind(3, (250.0, 700.0), (18, 32), 5.0, 20, (360, 480, 600, 720, 900))
_METRO = _Kind(1, (600.0, 1400.0), (12, 20), 9.0, 30, (180, 240, 300))


def _xy(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    cos_lat = math.cos(math.radians(ISSY_CENTRE[0]))
    return _EARTH_M * np.column_stack(
        (np.radians(lon - ISSY_CENTRE[1]) * cos_lat, np.radians(lat - ISSY_CENTRE[0]))
    )


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _line(
    xy: np.ndarray, tree: cKDTree, kind: _Kind, rng: random.Random, used: set[int]
) -> list[int]:
    """Real stops chained in a rough heading, each new one ``kind.spacing_m`` on."""
    start = rng.randrange(len(xy))
    heading = rng.uniform(0, 2 * math.pi)
    path = [start]
    want = rng.randint(*kind.stops)
    lo, hi = kind.spacing_m
    while len(path) < want:
        here = xy[path[-1]]
        best, best_score = -1, math.inf
        for j in tree.query_ball_point(here, hi):
            if j in path:
                continue
            dx, dy = xy[j] - here
            distance = math.hypot(dx, dy)
            if distance < lo:
                continue
            turn = abs((math.atan2(dy, dx) - heading + math.pi) % (2 * math.pi) - math.pi)
            if turn > math.pi / 4:
                continue
            # Prefer going straight, then stops no line serves yet, then the nearer.
            score = turn * 500 + distance + (0 if j not in used else 150)
            if score < best_score:
                best, best_score = j, score
        if best < 0:
            break
        dx, dy = xy[best] - here
        heading = math.atan2(dy, dx) + rng.uniform(-0.2, 0.2)
        path.append(best)
    return path


def write_feed(
    stops_file: Path,
    folder: Path,
    *,
    radius_m: float = 7000.0,
    bus_lines: int = 130,
    metro_lines: int = 10,
    seed: int = 15,
) -> RegionalFeed:
    """Write the feed's zip into ``folder``: real stops within ``radius_m`` of Issy, made-up
    lines and times (see the module's docstring)."""
    with gzip.open(stops_file, "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    lat = np.array([float(r["stop_lat"]) for r in rows])
    lon = np.array([float(r["stop_lon"]) for r in rows])
    xy_all = _xy(lat, lon)
    inside = np.flatnonzero(np.hypot(xy_all[:, 0], xy_all[:, 1]) <= radius_m)
    # One stop per position: RATP lists a pole once per line serving it.
    seen: dict[tuple[float, float], int] = {}
    for i in inside.tolist():
        seen.setdefault((round(lat[i], 6), round(lon[i], 6)), i)
    keep = sorted(seen.values())
    xy = xy_all[keep]
    tree = cKDTree(xy)
    rng = random.Random(seed)
    used: set[int] = set()
    routes_csv = ["route_id,agency_id,route_short_name,route_long_name,route_type"]
    trips_csv = ["route_id,service_id,trip_id,trip_headsign,direction_id"]
    times = io.StringIO()
    times.write("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n")
    n_trips = n_times = 0
    kinds = [_METRO] * metro_lines + [_BUS] * bus_lines
    for number, kind in enumerate(kinds, start=1):
        path: list[int] = []
        while len(path) < kind.stops[0] // 2:
            path = _line(xy, tree, kind, rng, used)
        used.update(path)
        name = f"{'M' if kind is _METRO else 'B'}{number}"
        routes_csv.append(
            f"{name},synthetic,{name},{name} (synthetic timetable on real RATP stop positions),"
            f"{kind.route_type}"
        )
        hops_s = [
            math.ceil(float(np.hypot(*(xy[b] - xy[a]))) * 1.3 / kind.speed_mps)
            for a, b in itertools.pairwise(path)
        ]
        headway_s = rng.choice(kind.headways_s)
        for direction, order, hops in ((0, path, hops_s), (1, path[::-1], hops_s[::-1])):
            headsign = rows[keep[order[-1]]]["stop_name"].replace(",", " ").replace('"', "")
            for k, first_s in enumerate(
                range(_FIRST_S + rng.randrange(headway_s), _LAST_S, headway_s)
            ):
                trip = f"{name}-{direction}-{k}"
                trips_csv.append(f"{name},daily,{trip},{headsign},{direction}")
                t = first_s
                for sequence, stop in enumerate(order):
                    if sequence:
                        t += hops[sequence - 1]
                    leave = t + (kind.dwell_s if 0 < sequence < len(order) - 1 else 0)
                    times.write(
                        f"{trip},{_clock(t)},{_clock(leave)},{rows[keep[stop]]['stop_id']},"
                        f"{sequence}\n"
                    )
                    t = leave
                    n_times += 1
                n_trips += 1
    served = sorted({keep[i] for i in used})
    stops_out = io.StringIO()
    writer = csv.writer(stops_out, lineterminator="\n")
    writer.writerow(["stop_id", "stop_name", "stop_desc", "stop_lat", "stop_lon"])
    for i in served:
        r = rows[i]
        writer.writerow(
            [r["stop_id"], r["stop_name"], r["stop_desc"], r["stop_lat"], r["stop_lon"]]
        )
    folder.mkdir(parents=True, exist_ok=True)
    zip_path = folder / "regional_synthetic_timetable.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "agency.txt",
            "agency_id,agency_name,agency_url,agency_timezone\n"
            "synthetic,Synthetic timetable on real RATP stop positions,https://data.ratp.fr,"
            "Europe/Paris\n",
        )
        archive.writestr("stops.txt", stops_out.getvalue())
        archive.writestr("routes.txt", "\n".join(routes_csv) + "\n")
        archive.writestr("trips.txt", "\n".join(trips_csv) + "\n")
        archive.writestr("stop_times.txt", times.getvalue())
        archive.writestr(
            "calendar.txt",
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
            "end_date\ndaily,1,1,1,1,1,1,1,20240101,20301231\n",
        )
    used_lat, used_lon = lat[served], lon[served]
    bbox = (
        float(used_lon.min()) - 0.001,
        float(used_lat.min()) - 0.001,
        float(used_lon.max()) + 0.001,
        float(used_lat.max()) + 0.001,
    )
    return RegionalFeed(zip_path, len(served), len(kinds), n_trips, n_times, bbox)
