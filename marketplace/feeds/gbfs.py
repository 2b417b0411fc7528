"""GBFS 3.0 documents built from a published service (pure functions, no I/O).

Field meanings follow https://github.com/MobilityData/gbfs/blob/v3.0/gbfs.md. Localised
strings carry the French text the partner gave. Money goes back from minor units to
decimal currency units, as GBFS wants.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from marketplace.catalogue.published import ServiceView
from marketplace.catalogue.validation import minor_unit_digits
from marketplace.clock import PARIS
from marketplace.models import ServiceKind

__all__ = ["FEEDS", "GBFS_KINDS", "TTL_S", "build_feed"]

GBFS_VERSION = "3.0"
TTL_S = 60
LANGUAGE = "fr"
GBFS_KINDS = frozenset({ServiceKind.BIKE_SHARE, ServiceKind.SCOOTER_SHARE})
_DAYS = {"MONDAY": "Mo", "TUESDAY": "Tu", "WEDNESDAY": "We", "THURSDAY": "Th",
         "FRIDAY": "Fr", "SATURDAY": "Sa", "SUNDAY": "Su"}  # fmt: skip


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(value: str) -> list[dict[str, str]]:
    return [{"text": value, "language": LANGUAGE}]


def _money(minor: int, currency: str) -> float:
    return float(minor / 10 ** minor_unit_digits(currency))


def _opening_hours(service: ServiceView) -> str:
    """OSM ``opening_hours`` syntax, as GBFS asks."""
    if service.opening_hours is None:
        return "24/7"
    return "; ".join(f"{_DAYS[p.day]} {p.opens}-{p.closes}" for p in service.opening_hours)


def _system_information(service: ServiceView, base_url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "system_id": f"issy-mobility-{service.id}",
        "languages": [LANGUAGE],
        "name": _text(service.name),
        "opening_hours": _opening_hours(service),
        "timezone": PARIS.key,
    }
    if service.booking_url:
        data["url"] = service.booking_url
    return data


def _station_information(service: ServiceView, base_url: str) -> dict[str, Any]:
    stations = []
    for station in service.stations:
        row: dict[str, Any] = {
            "station_id": station.external_id,
            "name": _text(station.name),
            "lat": station.lat,
            "lon": station.lon,
        }
        if station.capacity is not None:
            row["capacity"] = station.capacity
        stations.append(row)
    return {"stations": stations}


def _station_status(service: ServiceView, base_url: str) -> dict[str, Any]:
    stations = []
    for station in service.stations:
        live = station.availability
        # GBFS wants every station listed; one never reported is shown as not renting.
        row: dict[str, Any] = {
            "station_id": station.external_id,
            "num_vehicles_available": (live.vehicles_available or 0) if live else 0,
            "is_installed": True,
            "is_renting": live.is_renting if live else False,
            "is_returning": live.is_returning if live else False,
            "last_reported": _rfc3339(live.reported_at) if live else _rfc3339(datetime.now(UTC)),
        }
        if live is not None and live.docks_available is not None:
            row["num_docks_available"] = live.docks_available
        stations.append(row)
    return {"stations": stations}


def _vehicle_types(service: ServiceView, base_url: str) -> dict[str, Any]:
    types = []
    for vehicle in service.vehicle_types:
        row: dict[str, Any] = {
            "vehicle_type_id": vehicle.external_id,
            "form_factor": vehicle.form_factor.value,
            "propulsion_type": vehicle.propulsion.value,
        }
        if vehicle.name:
            row["name"] = _text(vehicle.name)
        if vehicle.max_range_m is not None:
            row["max_range_meters"] = vehicle.max_range_m
        types.append(row)
    return {"vehicle_types": types}


def _system_pricing_plans(service: ServiceView, base_url: str) -> dict[str, Any]:
    plans = []
    for plan in service.pricing_plans:
        row: dict[str, Any] = {
            "plan_id": plan.external_id,
            "name": _text(plan.name),
            "currency": plan.currency,
            "price": _money(plan.unlock_fee_minor, plan.currency),
            "is_taxable": False,
            "description": _text(plan.name),
        }
        if plan.per_minute_minor:
            rate = _money(plan.per_minute_minor, plan.currency)
            row["per_min_pricing"] = [{"start": 0, "rate": rate, "interval": 1}]
        if plan.per_km_minor:
            rate = _money(plan.per_km_minor, plan.currency)
            row["per_km_pricing"] = [{"start": 0, "rate": rate, "interval": 1}]
        plans.append(row)
    return {"plans": plans}


def _discovery(service: ServiceView, base_url: str) -> dict[str, Any]:
    return {
        "feeds": [
            {"name": name, "url": f"{base_url}/{name}.json"} for name in FEEDS if name != "gbfs"
        ]
    }


FEEDS: dict[str, Callable[[ServiceView, str], dict[str, Any]]] = {
    "gbfs": _discovery,
    "system_information": _system_information,
    "station_information": _station_information,
    "station_status": _station_status,
    "vehicle_types": _vehicle_types,
    "system_pricing_plans": _system_pricing_plans,
}


def build_feed(service: ServiceView, feed: str, *, base_url: str) -> dict[str, Any]:
    """One GBFS 3.0 document of ``service``.

    Parameters
    ----------
    feed
        A key of :data:`FEEDS` (``gbfs`` is the discovery document).
    base_url
        Absolute URL of the service's feed folder, for the discovery document.

    Raises
    ------
    KeyError
        Unknown feed.
    """
    return {
        "last_updated": _rfc3339(datetime.now(UTC)),
        "ttl": TTL_S,
        "version": GBFS_VERSION,
        "data": FEEDS[feed](service, base_url),
    }
