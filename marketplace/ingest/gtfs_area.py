"""A large regional GTFS feed cut down to an area, read as a stream in bounded memory.

Île-de-France Mobilités' whole-region feed holds tens of millions of stop times; Issy needs a
sliver of them. :func:`restrict_to_area` reads each file of the zip (or folder) row by row,
never whole, and keeps only what touches the area: the stops inside the box, the stop times
at those stops (two passes over ``stop_times.txt``: first the trips calling in the area, then
their calls there), those trips, their routes, calendars, frequencies and fares, and the
transfers between kept stops. Memory follows the area's part of the feed and a set of trip
ids, not the feed. The result is the small feed's text, handed to the ordinary import
(:func:`marketplace.ingest.gtfs.parse_gtfs`), which checks it as it checks any feed: a trip
left with fewer than two calls in the area is reported and skipped there.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from marketplace.errors import InvalidInput
from marketplace.ingest.gtfs_files import REQUIRED_COLUMNS
from routing.transit.gtfs_fares_v2 import FARES_V2_COLUMNS

__all__ = ["BoundingBox", "parse_bbox", "restrict_texts_to_area", "restrict_to_area"]

Progress = Callable[[str, int], None]
"""Told ``(file, rows read so far)`` every :data:`PROGRESS_EVERY_ROWS` rows and at each end."""

PROGRESS_EVERY_ROWS = 500_000


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """An area in degrees: south-west and north-east corners."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


def parse_bbox(text: str, *, option: str = "--bbox") -> BoundingBox:
    """``"min_lon,min_lat,max_lon,max_lat"`` (the GeoJSON order) into a box.

    Raises
    ------
    InvalidInput
        Not four numbers, out of range, or an empty box; the message says what is accepted.
    """
    accepted = (
        "accepted: min_lon,min_lat,max_lon,max_lat in degrees, such as "
        "2.22,48.81,2.29,48.84 for Issy-les-Moulineaux"
    )
    try:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in text.split(","))
    except ValueError:
        raise InvalidInput(f"{option} {text!r} is not four numbers; {accepted}") from None
    if not (-90 <= min_lat < max_lat <= 90 and -180 <= min_lon < max_lon <= 180):
        raise InvalidInput(f"{option} {text!r} is not a box on Earth (min < max); {accepted}")
    return BoundingBox(min_lat, min_lon, max_lat, max_lon)


class _Source:
    """The feed's files, opened one at a time as text streams."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip = None if path.is_dir() else zipfile.ZipFile(path)
        self._names: dict[str, str] = {}
        if self._zip is not None:
            for entry in self._zip.infolist():
                if not entry.is_dir():
                    self._names.setdefault(Path(entry.filename).name, entry.filename)

    def has(self, name: str) -> bool:
        return name in self._names if self._zip is not None else (self.path / name).is_file()

    @contextmanager
    def rows(
        self, name: str, progress: Progress | None
    ) -> Iterator[tuple[list[str], Iterator[dict[str, str]]]]:
        """The header and a row iterator of ``name`` (streamed, never read whole)."""
        if self._zip is not None:
            binary: IO[bytes] = self._zip.open(self._names[name])
        else:
            binary = (self.path / name).open("rb")
        with binary, _Source._read(binary, name, progress) as result:
            yield result

    @staticmethod
    @contextmanager
    def _read(
        binary: IO[bytes], name: str, progress: Progress | None
    ) -> Iterator[tuple[list[str], Iterator[dict[str, str]]]]:
        with io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text)
            header = [c.strip() for c in next(reader, [])]

            def iterate() -> Iterator[dict[str, str]]:
                count = 0
                for fields in reader:
                    count += 1
                    if progress is not None and count % PROGRESS_EVERY_ROWS == 0:
                        progress(name, count)
                    if fields:
                        yield dict(zip(header, (f.strip() for f in fields), strict=False))
                if progress is not None:
                    progress(name, count)

            yield header, iterate()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


class _TextSource(_Source):
    """The feed's files already in memory (an API upload), read the same way."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.path = Path("files")
        self._zip = None
        self._files = files

    def has(self, name: str) -> bool:
        return name in self._files

    @contextmanager
    def rows(
        self, name: str, progress: Progress | None
    ) -> Iterator[tuple[list[str], Iterator[dict[str, str]]]]:
        binary = io.BytesIO(self._files[name].encode("utf-8"))
        with binary, _Source._read(binary, name, progress) as result:
            yield result


def _write(header: list[str], rows: Iterator[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return out.getvalue()


def restrict_to_area(
    path: str | Path, box: BoundingBox, *, progress: Progress | None = None
) -> dict[str, str]:
    """The files of the feed at ``path`` restricted to ``box``, as the import reads them.

    Raises
    ------
    InvalidInput
        Not a readable zip or folder, or no stop of the feed lies in the box.
    """
    try:
        source = _Source(Path(path))
    except (OSError, zipfile.BadZipFile) as exc:
        raise InvalidInput(f"{path} is not a readable GTFS zip or folder: {exc}") from None
    try:
        return _restrict(source, box, progress)
    except (OSError, UnicodeDecodeError, csv.Error, zipfile.BadZipFile) as exc:
        raise InvalidInput(f"{path}: {exc}; nothing was imported") from None
    finally:
        source.close()


def restrict_texts_to_area(
    files: Mapping[str, str], box: BoundingBox, *, progress: Progress | None = None
) -> dict[str, str]:
    """The feed uploaded as texts (file name -> CSV text) restricted to ``box``, as
    :func:`restrict_to_area` restricts a zip or folder.

    Raises
    ------
    InvalidInput
        A required file is missing or unreadable, or no stop of the feed lies in the box.
    """
    try:
        return _restrict(_TextSource(files), box, progress)
    except (UnicodeError, csv.Error) as exc:
        raise InvalidInput(f"files: {exc}; nothing was imported") from None


def _restrict(source: _Source, box: BoundingBox, progress: Progress | None) -> dict[str, str]:
    files: dict[str, str] = {}
    for name in ("stops.txt", "stop_times.txt", "trips.txt", "routes.txt"):
        if not source.has(name):
            raise InvalidInput(f"{source.path}: {name} is missing; nothing was imported")

    def keep(name: str, wanted: Callable[[dict[str, str]], bool]) -> None:
        if source.has(name):
            with source.rows(name, progress) as (header, rows):
                files[name] = _write(header, (r for r in rows if wanted(r)))

    def inside(row: dict[str, str]) -> bool:
        try:
            return box.contains(float(row["stop_lat"]), float(row["stop_lon"]))
        except (KeyError, ValueError):
            return False  # the import reports such a stop; out here it is simply not in

    keep("stops.txt", inside)
    with source.rows("stops.txt", None) as (_, rows):
        stops = {r.get("stop_id", "") for r in rows if inside(r)}
    if not stops:
        raise InvalidInput(
            f"{source.path}: no stop lies in the box {box.min_lon},{box.min_lat},"
            f"{box.max_lon},{box.max_lat}; nothing was imported"
        )
    trips: set[str] = set()
    with source.rows("stop_times.txt", progress) as (_, rows):
        for row in rows:
            if row.get("stop_id") in stops:
                trips.add(row.get("trip_id", ""))
    keep("stop_times.txt", lambda r: r.get("trip_id") in trips and r.get("stop_id") in stops)
    routes: set[str] = set()
    services: set[str] = set()
    with source.rows("trips.txt", progress) as (header, rows):
        kept = []
        for row in rows:
            if row.get("trip_id") in trips:
                kept.append(row)
                routes.add(row.get("route_id", ""))
                services.add(row.get("service_id", ""))
        files["trips.txt"] = _write(header, iter(kept))
    keep("routes.txt", lambda r: r.get("route_id") in routes)
    if source.has("timeframes.txt"):  # fares v2 timeframes name calendars no trip may run
        with source.rows("timeframes.txt", None) as (_, rows):
            services.update(row.get("service_id", "") for row in rows)
    keep("calendar.txt", lambda r: r.get("service_id") in services)
    keep("calendar_dates.txt", lambda r: r.get("service_id") in services)
    keep("frequencies.txt", lambda r: r.get("trip_id") in trips)
    keep(
        "transfers.txt",
        lambda r: r.get("from_stop_id") in stops and r.get("to_stop_id") in stops,
    )
    keep("fare_rules.txt", lambda r: not r.get("route_id") or r.get("route_id") in routes)
    keep("fare_attributes.txt", lambda r: True)
    keep("route_networks.txt", lambda r: r.get("route_id") in routes)
    keep("stop_areas.txt", lambda r: r.get("stop_id") in stops)
    for name in FARES_V2_COLUMNS.keys() - {"route_networks.txt", "stop_areas.txt"}:
        keep(name, lambda r: True)
    keep("agency.txt", lambda r: True)
    return {name: text for name, text in files.items() if name in REQUIRED_COLUMNS}
