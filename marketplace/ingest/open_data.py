"""Issy's open data, read and checked: Vélib' stations, transit stops, points of interest,
the commune's boundary.

Everything here is pure (files in, values out); :mod:`marketplace.ingest.seed` writes the
result. All files are read and checked before anything is written, so a missing or broken
file stops the seed with a message naming it, and the database stays as it was.

Nothing is invented: the Vélib' snapshot has stations, capacities and counts with their
``last_reported`` times but no prices, so no pricing plan is made; the transit files have
stops and stations but no timetable, so their services have stops and no departures.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, shape

from marketplace.catalogue.geo import BBox, circle_bbox
from marketplace.catalogue.places import PlaceFields
from marketplace.catalogue.stations import StationInput
from marketplace.errors import InvalidInput
from marketplace.ingest.datafiles import DataFileError, read_csv_rows, read_json
from marketplace.ingest.gbfs import GbfsFeeds, parse_gbfs
from marketplace.models import PlaceKind, StationKind

__all__ = [
    "VELIB_MARGIN_M",
    "Boundary",
    "Dataset",
    "Network",
    "OpenData",
    "read_open_data",
]

VELIB_MARGIN_M = 1_000.0
BOUNDARY_FILE = "osm/issy_boundary_nominatim_2023-05.json.gz"
VELIB_INFO_FILE = "bikeshare/velib_station_information_2025-10-18.json"
VELIB_STATUS_FILE = "bikeshare/velib_station_status_2025-10-18.json"
RATP_STOPS_FILE = "transit/ratp_gtfs_full_stops_2019.txt.gz"
IDFM_STATIONS_FILE = "transit/idfm_emplacement_des_gares_idf_2025.csv.gz"
POI_FILE = "geocoding/issy_poi_data_issy_com_2014.json.gz"
POI_SOURCE = "data.issy.com points d'intérêt"
_MODE_NAMES = {"METRO": "Métro", "TRAM": "Tram", "RER": "RER", "TRAIN": "Train"}


@dataclass(frozen=True, slots=True)
class Dataset:
    """Where a part of the seed came from: file, date of the data, licence to show."""

    title: str
    file: str
    date: str
    licence: str


@dataclass(frozen=True, slots=True)
class Boundary:
    """A commune's official outline (GeoJSON text) and what is derived from it."""

    name: str
    geojson: str
    centre_lat: float
    centre_lon: float
    bbox: BBox
    attribution: str


@dataclass(frozen=True, slots=True)
class Network:
    """A public-transport network's stops or stations, without a timetable."""

    name: str
    description: str
    stations: tuple[StationInput, ...]


@dataclass(frozen=True, slots=True)
class OpenData:
    """Everything the seed loads, checked."""

    boundary: Boundary
    velib: GbfsFeeds
    networks: tuple[Network, ...]
    places: tuple[PlaceFields, ...]
    datasets: tuple[Dataset, ...]


def _boundary(path: Path) -> tuple[Boundary, Dataset]:
    document = read_json(path)
    result = document[0] if isinstance(document, list) and document else document
    if not isinstance(result, dict) or not isinstance(result.get("geojson"), dict):
        raise DataFileError(path, "expected a Nominatim reply with a 'geojson' polygon")
    try:
        outline = shape(result["geojson"])
        centre_lat, centre_lon = float(result["lat"]), float(result["lon"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataFileError(path, f"unreadable boundary geometry or centre ({exc})") from None
    if not isinstance(outline, Polygon | MultiPolygon) or not outline.is_valid:
        raise DataFileError(path, f"the boundary is not a valid polygon ({outline.geom_type})")
    west, south, east, north = outline.bounds
    licence = str(result.get("licence") or "© OpenStreetMap contributors, ODbL 1.0")
    name = str(result.get("display_name", "Issy-les-Moulineaux")).split(",")[0].strip()
    boundary = Boundary(
        name=name,
        geojson=json.dumps(result["geojson"], separators=(",", ":")),
        centre_lat=centre_lat,
        centre_lon=centre_lon,
        bbox=BBox(west, south, east, north),
        attribution=licence,
    )
    relation = f"OSM {result.get('osm_type', '')} {result.get('osm_id', '')}".strip()
    return boundary, Dataset(f"Boundary of {name} ({relation})", BOUNDARY_FILE, "2023-05", licence)


def _grow(box: BBox, margin_m: float) -> BBox:
    corner_sw = circle_bbox(box.min_lat, box.min_lon, margin_m)
    corner_ne = circle_bbox(box.max_lat, box.max_lon, margin_m)
    return BBox(corner_sw.min_lon, corner_sw.min_lat, corner_ne.max_lon, corner_ne.max_lat)


def _velib(data_dir: Path, box: BBox) -> tuple[GbfsFeeds, Dataset]:
    info_path, status_path = data_dir / VELIB_INFO_FILE, data_dir / VELIB_STATUS_FILE
    info, status = read_json(info_path), read_json(status_path)
    try:
        feeds = parse_gbfs({"station_information": info, "station_status": status})
    except InvalidInput as exc:
        raise DataFileError(info_path.parent, exc.message) from None
    stations = [s for s in feeds.stations or [] if box.contains(s.lat, s.lon)]
    inside = {s.external_id for s in stations}
    # A count without its reading time would be shown as current: leave it out instead.
    status_rows = [
        r for r in feeds.status or [] if r.station_external_id in inside and r.reported_at
    ]
    updated = status.get("lastUpdatedOther") if isinstance(status, dict) else None
    date = (
        datetime.fromtimestamp(updated, UTC).strftime("%Y-%m-%d %H:%M UTC")
        if isinstance(updated, int | float)
        else "unknown"
    )
    dataset = Dataset(
        "Vélib' Métropole GBFS station information and status",
        VELIB_STATUS_FILE,
        date,
        "Vélib' Métropole open data (opendata.paris.fr, ODbL)",
    )
    return GbfsFeeds(stations, status_rows, None, None, []), dataset


def _number(path: Path, line: int, field: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise DataFileError(path, f"line {line}: {field} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise DataFileError(path, f"line {line}: {field} {value!r} is not a finite number")
    return number


def _ratp_stops(path: Path, box: BBox) -> tuple[Network, Dataset]:
    rows = read_csv_rows(
        path, delimiter=",", required=("stop_id", "stop_name", "stop_lat", "stop_lon")
    )
    # The feed lists one stop per line and direction at the same spot; one place each.
    by_spot: dict[tuple[str, float, float], StationInput] = {}
    for line, row in rows:
        lat = _number(path, line, "stop_lat", row["stop_lat"])
        lon = _number(path, line, "stop_lon", row["stop_lon"])
        name = row["stop_name"].strip()
        if not box.contains(lat, lon) or not name:
            continue
        key = (name, round(lat, 6), round(lon, 6))
        stop_id = row["stop_id"].strip()
        kept = by_spot.get(key)
        if kept is None or (len(stop_id), stop_id) < (len(kept.external_id), kept.external_id):
            by_spot[key] = StationInput(stop_id, name, lat, lon, kind=StationKind.STOP)
    network = Network(
        "RATP (arrêts, sans horaires)",
        "Arrêts de métro, de tramway et de bus RATP à Issy, d'après les arrêts GTFS RATP du "
        "printemps 2019 (© RATP, ODbL). Les horaires de ce flux ne sont pas disponibles ici : "
        "aucun départ n'est publié.",
        tuple(sorted(by_spot.values(), key=lambda s: s.external_id)),
    )
    return network, Dataset("RATP GTFS stops", RATP_STOPS_FILE, "2019-05", "© RATP, ODbL")


def _network_name(res_com: str) -> str:
    mode, _, line = res_com.partition(" ")
    return f"{_MODE_NAMES.get(mode.upper(), mode.title())} {line}".strip()


def _idfm_stations(path: Path, box: BBox) -> tuple[list[Network], Dataset]:
    required = ("geo_point_2d", "id_gares", "nom_gares", "res_com", "exploitant")
    by_network: dict[str, dict[str, StationInput]] = {}
    operators: dict[str, str] = {}
    for line, row in read_csv_rows(path, delimiter=";", required=required):
        lat_text, _, lon_text = row["geo_point_2d"].partition(",")
        lat = _number(path, line, "geo_point_2d latitude", lat_text.strip())
        lon = _number(path, line, "geo_point_2d longitude", lon_text.strip())
        if not box.contains(lat, lon) or not row["nom_gares"].strip():
            continue
        network = row["res_com"].strip()
        operators[network] = row["exploitant"].strip()
        station = StationInput(row["id_gares"].strip(), row["nom_gares"].strip(), lat, lon)
        by_network.setdefault(network, {})[station.external_id] = station
    networks = [
        Network(
            f"{_network_name(res_com)} (stations, sans horaires)",
            f"Gares et stations {res_com} ({operators[res_com]}) à Issy, d'après les "
            "emplacements des gares d'Île-de-France Mobilités (2025, Licence Ouverte 2.0). "
            "Aucun horaire n'est disponible ici : aucun départ n'est publié.",
            tuple(sorted(stations.values(), key=lambda s: s.external_id)),
        )
        for res_com, stations in sorted(by_network.items())
    ]
    licence = "Île-de-France Mobilités, Licence Ouverte 2.0"
    return networks, Dataset("IDFM station locations", IDFM_STATIONS_FILE, "2025", licence)


def _address_id(address: str) -> str:
    return hashlib.sha1(" ".join(address.casefold().split()).encode()).hexdigest()


def _pois(path: Path, box: BBox) -> tuple[list[PlaceFields], Dataset]:
    records = read_json(path)
    if not isinstance(records, list):
        raise DataFileError(path, f"expected a list of records, got {type(records).__name__}")
    places: list[PlaceFields] = []
    addresses: dict[str, PlaceFields] = {}
    newest = ""
    for index, record in enumerate(records):
        fields: Any = record.get("fields") if isinstance(record, dict) else None
        if not isinstance(fields, dict) or not isinstance(record.get("recordid"), str):
            raise DataFileError(path, f"record {index} has no 'fields' object or 'recordid'")
        lat, lon, title = fields.get("latitude"), fields.get("longitude"), fields.get("titre")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float) or not title:
            continue  # a record without a position or a name cannot be found on the map
        if not box.contains(float(lat), float(lon)):
            continue
        newest = max(newest, str(record.get("record_timestamp", ""))[:10])
        street = str(fields.get("adresse") or "").strip()
        town = f"{fields.get('codepostal', '')} {fields.get('ville', '')}".strip()
        address = f"{street}, {town}" if street and town else street or None
        category = next(
            (str(fields[k]) for k in ("categorie3", "categorie2", "categorie1") if fields.get(k)),
            None,
        )
        places.append(
            PlaceFields(
                POI_SOURCE,
                record["recordid"],
                PlaceKind.POI,
                str(title).strip()[:300],
                address[:300] if address else None,
                category,
                float(lat),
                float(lon),
            )
        )
        if street and _address_id(street) not in addresses:
            addresses[_address_id(street)] = PlaceFields(
                POI_SOURCE,
                _address_id(street),
                PlaceKind.ADDRESS,
                street[:300],
                address[:300] if address else None,
                None,
                float(lat),
                float(lon),
            )
    licence = "Ville d'Issy-les-Moulineaux open data (data.issy.com); licence not stated"
    dataset = Dataset("Issy points of interest", POI_FILE, newest or "unknown", licence)
    return places + list(addresses.values()), dataset


def read_open_data(data_dir: Path) -> OpenData:
    """Read and check every dataset the seed loads from ``data_dir``.

    Raises
    ------
    DataFileError
        The folder or a file is missing, truncated, corrupt or not in the expected format.
    """
    if not data_dir.is_dir():
        raise DataFileError(data_dir, "missing folder (give --data or set ISSY_SHARED_DATA)")
    boundary, boundary_set = _boundary(data_dir / BOUNDARY_FILE)
    velib, velib_set = _velib(data_dir, _grow(boundary.bbox, VELIB_MARGIN_M))
    ratp, ratp_set = _ratp_stops(data_dir / RATP_STOPS_FILE, boundary.bbox)
    idfm, idfm_set = _idfm_stations(data_dir / IDFM_STATIONS_FILE, boundary.bbox)
    places, poi_set = _pois(data_dir / POI_FILE, boundary.bbox)
    return OpenData(
        boundary=boundary,
        velib=velib,
        networks=(ratp, *idfm),
        places=tuple(places),
        datasets=(boundary_set, velib_set, ratp_set, idfm_set, poi_set),
    )
