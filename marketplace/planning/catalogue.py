"""The published catalogue as the trip planner's values, kept current by the catalogue version.

:class:`PlannerCatalogue` reads the published services (never drafts) through
:mod:`marketplace.catalogue.published` and maps them to :mod:`routing.planning.services`
values. The snapshot is cached and rebuilt when the database's catalogue version moved
(checked before every use) or a catalogue event arrived, so the next plan reads the change:
a service published, suspended or retired, a station moved, an availability emptied.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import shapely
from shapely.geometry import shape
from sqlmodel import Session

from marketplace.catalogue.fares_v2 import fares_v2_from_document
from marketplace.catalogue.published import (
    FreeVehicleView,
    LiveRow,
    ServiceView,
    StationView,
    availability_view,
    live_availability,
    live_vehicles,
    published_services,
)
from marketplace.catalogue.timetables import TimetableView, published_timetables
from marketplace.db import Database
from marketplace.events.bus import subscribe
from marketplace.events.catalogue import CatalogueEvent
from marketplace.events.version import (
    read_live_versions,
    read_timetable_revisions,
    read_timetable_version,
)
from marketplace.models import FormFactor
from marketplace.models import ServiceKind as ModelKind
from marketplace.planning.live import live_updates
from routing.planning.services import (
    OnDemandService,
    ParkingService,
    PricingPlan,
    ServiceCatalogue,
    ServiceKind,
    SharedVehicleService,
    Station,
    TransitService,
)
from routing.street.modes import Mode
from routing.transit.fares import FareAttribute, FareRule, FareTable
from routing.transit.fares_v2 import FaresV2
from routing.transit.realtime import TripUpdates
from routing.transit.timetable import (
    ServiceCalendar,
    Timetable,
    TimetableError,
    TransferRule,
    TransitRoute,
    TransitStop,
    TransitTrip,
)

__all__ = [
    "DEFAULT_ON_DEMAND_WAIT_S",
    "PlannerCatalogue",
    "patch_live_state",
    "station_places",
    "to_routing_catalogue",
    "with_live_state",
]

log = logging.getLogger(__name__)

# Partners do not publish a waiting time yet: ten minutes is what Île-de-France's on-demand
# services ("Transport à la demande") promise at best; the plan shows the wait as part of the leg.
DEFAULT_ON_DEMAND_WAIT_S = 600.0
# Shared e-scooters are capped at 25 km/h in France; 18 km/h is a typical urban average.
SCOOTER_SPEED_KMH = 18.0
_GTFS_MODES = {0: "tram", 1: "subway", 2: "rail", 3: "bus", 11: "trolleybus", 7: "funicular"}


MappedTimetables = dict[int, tuple[TimetableView, object, Timetable]]
"""Each service's mapped timetable, with the timetable view and the stop fields it came from."""


def _pricing(view: ServiceView) -> PricingPlan | None:
    # No published plan: the price is unknown, never "free" (a free plan is published as 0).
    if not view.pricing_plans:
        return None
    plan = view.pricing_plans[0]
    return PricingPlan(
        currency=plan.currency,
        unlock_minor=plan.unlock_fee_minor,
        per_minute_minor=plan.per_minute_minor,
        per_km_minor=plan.per_km_minor,
        per_hour_minor=plan.per_hour_minor,
        cap_minor=plan.daily_cap_minor,
    )


def _station(view: StationView) -> Station:
    live = view.availability
    vehicles = docks = None
    reported_at = None
    if live is not None:
        reported_at = _aware(live.reported_at)
        vehicles = live.vehicles_available if live.is_renting else 0
        docks = live.docks_available if live.is_returning else 0
    return Station(
        id=str(view.id),
        name=view.name,
        lat=view.lat,
        lon=view.lon,
        vehicles_available=vehicles,
        docks_available=docks,
        capacity=view.capacity,
        wheelchair=view.wheelchair_accessible,
        reported_at=reported_at,
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; the marketplace stores UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _zone(geojson: str | None) -> object | None:
    if not geojson:
        return None
    zone: object = shapely.make_valid(shape(json.loads(geojson)))
    return zone


def _timetable(view: ServiceView, table: TimetableView) -> Timetable:
    zones = table.rules.zones
    stops = tuple(
        TransitStop(
            str(s.id),
            s.name,
            s.lat,
            s.lon,
            wheelchair=s.wheelchair_accessible,
            zone_id=zones.get(s.id),
        )
        for s in view.stations
    )
    routes = tuple(
        TransitRoute(
            r.external_id,
            r.short_name or r.long_name,
            r.long_name,
            "shuttle" if view.kind is ModelKind.SHUTTLE else _GTFS_MODES.get(r.route_type, "bus"),
            agency_id=str(view.id),
            color=r.color,
            text_color=r.text_color,
            timezone=r.timezone,
            route_type=r.route_type,
        )
        for r in table.routes
    )
    calendars = tuple(
        ServiceCalendar(
            c.external_id,
            weekdays=tuple(c.weekdays),
            # An open-ended weekly pattern runs every such weekday.
            start_date=c.start_date or dt.date.min,
            end_date=c.end_date or dt.date.max,
            added_dates=c.added,
            removed_dates=c.removed,
        )
        for c in table.calendars
    )
    trips = tuple(
        TransitTrip(
            id=t.external_id,
            route_id=t.route_external_id,
            service_id=t.calendar_external_id,
            headsign=t.headsign,
            stop_ids=tuple(str(station) for station, _, _ in t.stop_times),
            arrival_s=tuple(arrival for _, arrival, _ in t.stop_times),
            departure_s=tuple(departure for _, _, departure in t.stop_times),
        )
        for t in table.trips
    )
    known = {stop.id for stop in stops}
    transfers = tuple(
        TransferRule(
            str(t.from_station_id), str(t.to_station_id), t.transfer_type, t.min_transfer_s
        )
        for t in table.rules.transfers
        if str(t.from_station_id) in known and str(t.to_station_id) in known
    )
    return Timetable(
        stops,
        routes,
        trips,
        calendars,
        source_id=f"service:{view.id}",
        transfers=transfers,
        # A feed with fares v2 is priced by them alone, as the reference prefers.
        fares=FareTable() if table.rules.fares_v2 is not None else _fares(table),
        fares_v2=_fares_v2(view, table),
    )


def _mapped_timetable(
    view: ServiceView, table: TimetableView, mapped: MappedTimetables | None
) -> Timetable:
    if mapped is None:
        return _timetable(view, table)
    # The timetable view by identity (a new one is read only after a timetable change), and
    # what of the service the mapping reads besides it: its kind and its stops' fields.
    key = (
        view.kind,
        tuple((s.id, s.name, s.lat, s.lon, s.wheelchair_accessible) for s in view.stations),
    )
    cached = mapped.get(view.id)
    if cached is not None and cached[0] is table and cached[1] == key:
        return cached[2]
    timetable = _timetable(view, table)
    mapped[view.id] = (table, key, timetable)
    return timetable


def _fares_v2(view: ServiceView, table: TimetableView) -> tuple[FaresV2, ...]:
    if table.rules.fares_v2 is None:
        return ()
    stop_ids = {s.external_id: str(s.id) for s in view.stations}
    fares = fares_v2_from_document(table.rules.fares_v2, stop_ids)
    return (fares,) if fares else ()


def _fares(table: TimetableView) -> FareTable:
    routes = {r.external_id for r in table.routes}
    return FareTable(
        tuple(
            FareAttribute(
                f.external_id, f.price_minor, f.currency, f.transfers, f.transfer_duration_s
            )
            for f in table.rules.fares
        ),
        tuple(
            FareRule(f.external_id, *rule)
            for f in table.rules.fares
            for rule in f.rules
            if rule[0] is None or rule[0] in routes
        ),
    )


def _vehicle(service: ServiceView, view: FreeVehicleView) -> Station:
    # A placed vehicle is a one-vehicle "station": reserved or disabled ones count 0, so a
    # fleet with none free says so rather than planning a pick-up anywhere in the zone.
    return Station(
        id=f"{service.id}:vehicle:{view.external_id}",
        name=f"{service.name} {view.external_id}",
        lat=view.lat,
        lon=view.lon,
        vehicles_available=1 if view.available else 0,
        reported_at=_aware(view.reported_at),
    )


def _parked_vehicle(view: ServiceView) -> str:
    """A parking whose vehicle types are all bicycles is a bike parking; else a car park."""
    bikes = {FormFactor.BICYCLE, FormFactor.CARGO_BICYCLE}
    types = view.vehicle_types
    return "bicycle" if types and all(t.form_factor in bikes for t in types) else "car"


def to_routing_catalogue(
    views: list[ServiceView],
    timetables: dict[int, TimetableView],
    version: int,
    live: Mapping[int, TripUpdates] | None = None,
    mapped: MappedTimetables | None = None,
) -> ServiceCatalogue:
    """Map published service views to the planner's values; unusable ones are skipped.

    ``live`` gives timetabled services their GTFS-Realtime updates, by service id. ``mapped``
    keeps each service's mapped timetable between calls: it is reused while the timetable view
    and the stops' own fields are the same, so the transit index sees the very same timetable
    and keeps its network without comparing every trip.
    """
    services: list[object] = []
    for view in views:
        kind = ServiceKind[view.kind.name]
        sid, pricing = str(view.id), _pricing(view)
        stations = tuple(_station(s) for s in view.stations)
        try:
            if kind in (ServiceKind.BIKE_SHARE, ServiceKind.SCOOTER_SHARE, ServiceKind.CAR_SHARE):
                zone = None if stations else _zone(view.service_area_geojson)
                if not stations and zone is None:
                    continue  # neither stations nor a zone: nothing to plan with
                services.append(
                    SharedVehicleService(
                        id=sid,
                        name=view.name,
                        kind=kind,
                        ride_mode=Mode.DRIVE if kind is ServiceKind.CAR_SHARE else Mode.BIKE,
                        stations=stations,
                        zone=zone,
                        no_parking=_zone(view.no_parking_geojson),
                        vehicles=tuple(_vehicle(view, v) for v in view.vehicles) if zone else (),
                        pricing=pricing,
                        ride_speed_kmh=SCOOTER_SPEED_KMH
                        if kind is ServiceKind.SCOOTER_SHARE
                        else None,
                        co2_g_per_km=view.co2_g_per_km,
                        wheelchair=view.wheelchair_accessible,
                    )
                )
            elif kind is ServiceKind.PARKING and stations:
                services.append(
                    ParkingService(sid, view.name, stations, pricing, vehicle=_parked_vehicle(view))
                )
            elif kind is ServiceKind.ON_DEMAND and view.service_area_geojson:
                services.append(
                    OnDemandService(
                        sid,
                        view.name,
                        _zone(view.service_area_geojson),
                        DEFAULT_ON_DEMAND_WAIT_S,
                        pricing,
                        view.co2_g_per_km,
                    )
                )
            elif view.id in timetables:
                services.append(
                    TransitService(
                        sid,
                        view.name,
                        kind,
                        _mapped_timetable(view, timetables[view.id], mapped),
                        pricing,
                        view.co2_g_per_km,
                        live=(live or {}).get(view.id),
                    )
                )
        except (TimetableError, ValueError, TypeError) as exc:
            # One partner's inconsistent data must not take the whole planner down.
            log.warning("service %s left out of trip planning: %s", view.id, exc)
    return ServiceCatalogue(tuple(services), version=version)  # type: ignore[arg-type]


def station_places(views: Sequence[ServiceView]) -> dict[int, tuple[int, int]]:
    """Where each station of ``views`` is: its view's index and its index in the view."""
    return {
        station.id: (v, s)
        for v, view in enumerate(views)
        for s, station in enumerate(view.stations)
    }


def with_live_state(
    views: Sequence[ServiceView],
    places: Mapping[int, tuple[int, int]],
    availability: Mapping[int, LiveRow],
    vehicles: Mapping[int, tuple[FreeVehicleView, ...]],
) -> tuple[list[ServiceView], dict[int, list[int]]]:
    """``views`` (their stations at ``places``, see :func:`station_places`) with the live
    state written since they were read: the availability rows ``availability`` (by station
    id; other stations keep theirs) and the vehicles of each service in ``vehicles`` (the
    services missing from it keep theirs).

    Returns the views, where a view and a station view whose live state did not change is
    the same object, and the indexes of the stations changed, by service id, so what was
    mapped from the others can be reused (:func:`patch_live_state`)."""
    changed: dict[int, list[int]] = {}
    for sid, row in availability.items():
        place = places.get(sid)
        if place is None:
            continue  # a station of no published service
        v, s = place
        live = views[v].stations[s].availability
        if (
            live is None
            or (
                live.vehicles_available,
                live.docks_available,
                live.is_renting,
                live.is_returning,
                live.reported_at,
            )
            != row[1:]
        ):
            changed.setdefault(v, []).append(s)
    patched = list(views)
    for v, view in enumerate(views):
        fleet = vehicles.get(view.id, view.vehicles)
        if fleet != view.vehicles:
            patched[v] = replace(view, vehicles=fleet)
    for v, indexes in changed.items():
        stations = list(views[v].stations)
        for s in indexes:
            live = availability_view(availability[stations[s].id])
            stations[s] = replace(stations[s], availability=live)
        patched[v] = replace(patched[v], stations=tuple(stations))
    return patched, {views[v].id: indexes for v, indexes in changed.items()}


def _patched_stations(
    mapped: tuple[Station, ...], indexes: Sequence[int], new: tuple[StationView, ...]
) -> tuple[Station, ...]:
    stations = list(mapped)
    for s in indexes:
        stations[s] = _station(new[s])
    return tuple(stations)


def patch_live_state(
    catalogue: ServiceCatalogue,
    old: Mapping[str, ServiceView],
    new: Mapping[str, ServiceView],
    changed: Mapping[int, Sequence[int]],
    version: int,
) -> ServiceCatalogue:
    """``catalogue`` (mapped by :func:`to_routing_catalogue` from the views ``old``, by
    service id) as if mapped from ``new``, which differ from them in live state only: the
    availability of the stations at the indexes ``changed`` (by service id) and the vehicles
    of the services whose tuple of vehicles is another (:func:`with_live_state`). The rest
    is reused as it is: services whose view is the same object, and stations. At
    ``version``."""
    services: list[object] = []
    for service in catalogue.services:
        before, now = old[service.id], new[service.id]
        indexes = changed.get(now.id, ())
        if now is before:
            services.append(service)
        elif isinstance(service, SharedVehicleService):
            vehicles = service.vehicles
            if service.zone is not None and now.vehicles is not before.vehicles:
                vehicles = tuple(_vehicle(now, v) for v in now.vehicles)
            stations = _patched_stations(service.stations, indexes, now.stations)
            services.append(replace(service, stations=stations, vehicles=vehicles))
        elif isinstance(service, ParkingService):
            sites = _patched_stations(service.sites, indexes, now.stations)
            services.append(replace(service, sites=sites))
        else:
            services.append(service)  # on-demand, timetables: no live counts mapped
    return replace(catalogue, services=tuple(services), version=version)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class _Static:
    """What the last read holds: the static version and the live sequence number read before
    its rows, the views, the catalogue mapped from them and the places of their stations;
    patched with the live state while the static version stays."""

    version: int
    sequence: int
    views: list[ServiceView]
    by_id: dict[str, ServiceView]
    catalogue: ServiceCatalogue
    places: dict[int, tuple[int, int]]


class PlannerCatalogue:
    """The cached snapshot of published services, rebuilt whenever the catalogue changed.

    Each :meth:`snapshot` first reads the database's catalogue version (one single-row
    ``SELECT``, see :meth:`Database.catalogue_version`) and rebuilds when it moved, so no plan
    uses a catalogue older than the last change committed before it, whichever process made
    it and whether or not its message arrived. Catalogue events still drop the snapshot at
    once in the processes that hear them.

    Timetables (every stop time: 720k rows on a regional feed) are read again only when the
    database's *timetable* version moved (a write to a timetable table, see
    :data:`marketplace.events.version.TIMETABLE_TABLES`), and then only for the published
    services whose own timetable revision moved (or for all of them after a write no
    service was found for); an availability batch or a renamed service reuses them, and so
    does every service but the one re-published, with their mapped timetables, so the transit
    index keeps their parts of the network without re-reading or comparing.

    After changes of live state only (availability batches, vehicles placed: the static
    version did not move, see :func:`marketplace.events.version.read_live_versions`) the
    rebuild reads the live state alone: the availability rows stamped with a live sequence
    number above the one it read last (50 rows after a batch of 50, not 1,500) and the
    free-floating services' vehicles, and patches the last read: the views, mapped services
    and stations whose counts did not change are kept (:func:`with_live_state`,
    :func:`patch_live_state`).
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._snapshot: ServiceCatalogue | None = None
        self._views: dict[str, ServiceView] = {}
        self._generation = 0  # bumped by each event heard, so a rebuild racing one is dropped
        self._rebuilding = threading.Lock()  # one rebuild at a time; the others take its result
        self.rebuilds = 0
        """Snapshots read from the database so far (each a cache miss)."""
        self.timetable_reads = 0
        """Times timetables (every stop time of the services asked) were read from the database."""
        self.services_read = 0
        """Service timetables read from the database so far (several per read at start)."""
        self.live_patches = 0
        """Rebuilds that read the live state alone and patched the last full read."""
        self._static: _Static | None = None
        # Timetables by service id (None: published without one), each with the revision it
        # was read at, and their planner values: reused while the database's timetable
        # version stays, and then while the service's own revision stays.
        self._timetable_version: int | None = None
        self._unattributed: int | None = None
        self._tables: dict[int, TimetableView | None] = {}
        self._read_at: dict[int, int] = {}
        self._mapped: MappedTimetables = {}
        self._unsubscribe: Callable[[], None] = subscribe(CatalogueEvent, self._changed)

    def close(self) -> None:
        self._unsubscribe()

    def _changed(self, event: CatalogueEvent) -> None:
        with self._lock:
            self._generation += 1
            self._snapshot = None

    def snapshot(self) -> tuple[ServiceCatalogue, dict[str, ServiceView]]:
        """The current catalogue and its views by service id (blocking: call in a thread).

        The catalogue's ``version`` is the database's catalogue version it was read at (or a
        later one). One thread rebuilds at a time: plans that find the snapshot stale while
        another thread rebuilds it wait for that rebuild and take it when it is at least as
        new as the version they read, rather than each reading the whole catalogue again
        (after an availability batch every planning thread of every worker did).
        """
        version = self._db.catalogue_version()
        with self._lock:
            if self._snapshot is not None and self._snapshot.version == version:
                return self._snapshot, self._views
            seen = self.rebuilds
        with self._rebuilding:
            # Rebuilt by the thread this one waited for, from rows read after ``version``.
            cached = self._current(version) if self.rebuilds != seen else None
            if cached is not None:
                return cached
            with self._lock:
                generation = self._generation
            # The version again, read before the rows: the rows are at least as new as it
            # says, never older; it is at least ``version``.
            version = self._db.catalogue_version()
            catalogue, by_id = self._read(version)
            with self._lock:
                self.rebuilds += 1
                if self._generation == generation:  # no event arrived while we were reading
                    self._snapshot, self._views = catalogue, by_id
            return catalogue, by_id

    def _read(self, version: int) -> tuple[ServiceCatalogue, dict[str, ServiceView]]:
        """The catalogue at ``version`` (or later) and its views by id: the last read patched
        with the live state written since while the static version stays, else read in
        full."""
        static = self._static
        with self._db.session() as session:
            # The versions before the rows: the rows are at least as new as they say.
            static_version, sequence = read_live_versions(session)
            if (
                static is not None
                and static.version == static_version
                and static.sequence <= sequence  # else the table was emptied: read it all
            ):
                rows = live_availability(session, since=static.sequence)
                # Only a service with a zone may place vehicles (a zone removed is static).
                fleets = [
                    v.id for v in static.views if v.vehicles or v.service_area_geojson is not None
                ]
                vehicles = live_vehicles(session, fleets) if fleets else {}
                views, changed = with_live_state(static.views, static.places, rows, vehicles)
                by_id = {str(v.id): v for v in views}
                catalogue = patch_live_state(
                    static.catalogue, static.by_id, by_id, changed, version
                )
                self.live_patches += 1
                self._static = replace(
                    static, sequence=sequence, views=views, by_id=by_id, catalogue=catalogue
                )
                return catalogue, by_id
            timetable_version = read_timetable_version(session.connection())
            views = published_services(session)
            timetables = self._timetables(session, views, timetable_version)
            live = live_updates(session, {v.id: v for v in views}, timetables)
        by_id = {str(v.id): v for v in views}
        catalogue = to_routing_catalogue(views, timetables, version, live, self._mapped)
        self._static = _Static(
            static_version, sequence, views, by_id, catalogue, station_places(views)
        )
        return catalogue, by_id

    def _timetables(
        self, session: Session, views: list[ServiceView], timetable_version: int
    ) -> dict[int, TimetableView]:
        """The timetables of the published ``views``; read again only for services whose
        timetable revision moved since they were read (after an availability batch, none;
        after one service's import, that one), or newly published."""
        published = {v.id for v in views}
        for sid in [sid for sid in self._tables if sid not in published]:
            self._forget(sid)  # suspended or retired: read again if published again
        revisions: dict[int, int] = {}
        if timetable_version != self._timetable_version:
            # Read before the rows: the rows are at least as new as the revisions say.
            unattributed, revisions = read_timetable_revisions(session)
            if unattributed != self._unattributed:
                self._tables.clear()
                self._read_at.clear()
                self._mapped.clear()
                self._unattributed = unattributed
            for sid in [s for s, at in self._read_at.items() if revisions.get(s, 0) != at]:
                self._forget(sid)
            self._timetable_version = timetable_version
        unread = [v.id for v in views if v.id not in self._tables]
        if unread:
            if not revisions:
                _, revisions = read_timetable_revisions(session)
            self.timetable_reads += 1
            self.services_read += len(unread)
            read = {t.service_id: t for t in published_timetables(session, service_ids=unread)}
            for sid in unread:
                self._tables[sid] = read.get(sid)
                self._read_at[sid] = revisions.get(sid, 0)
        return {v.id: t for v in views if (t := self._tables[v.id]) is not None}

    def _forget(self, service_id: int) -> None:
        self._tables.pop(service_id, None)
        self._read_at.pop(service_id, None)
        self._mapped.pop(service_id, None)

    def _current(self, version: int) -> tuple[ServiceCatalogue, dict[str, ServiceView]] | None:
        """The cached snapshot if it is at least as new as ``version``."""
        with self._lock:
            if self._snapshot is not None and self._snapshot.version >= version:
                return self._snapshot, self._views
        return None
