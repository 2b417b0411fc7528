"""One transit network over several timetables, so a journey may change between services.

Each published timetable (a partner's shuttle, a public transport feed) keeps its own ids;
:func:`merge_timetables` prefixes every stop, station, route, trip and calendar id with the
owning service's key (``"<key>/<id>"``) and joins them into one
:class:`~routing.transit.timetable.Timetable` that a single
:class:`~routing.transit.raptor.RaptorIndex` searches. The :class:`TransitNetwork` maps merged
ids back to the service and the feed's own objects, for the itineraries shown to travellers.

Footpaths between stops (of one service or of two) come from :func:`footpaths`: walking times
the caller measured (on the street network), overridden by each feed's ``transfers.txt``
rules, which apply within their own feed only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from routing.transit.fares import FareAttribute, FareRule, FareTable
from routing.transit.fares_v2 import FaresV2
from routing.transit.timetable import (
    ServiceCalendar,
    Timetable,
    TimetableError,
    TransitRoute,
    TransitStop,
    TransitTrip,
)

__all__ = [
    "SEPARATOR",
    "TransitNetwork",
    "footpaths",
    "merge_timetables",
    "merged_id",
    "step_free",
]

#: Between a service's key and a feed's own id in merged ids.
SEPARATOR = "/"


@dataclass(frozen=True)
class TransitNetwork:
    """Several timetables as one: ``timetable`` has prefixed ids, the rest maps them back.

    ``parts`` are the ``(key, timetable)`` pairs merged, in order; ``stop_origin`` and
    ``route_origin`` give, per merged id, the owning key and the feed's own stop or route;
    ``stops_by_key`` the merged stops of each key, in the feed's order (one tuple per
    network, so callers may cache by it).
    """

    timetable: Timetable
    parts: tuple[tuple[str, Timetable], ...]
    stop_origin: Mapping[str, tuple[str, TransitStop]]
    route_origin: Mapping[str, tuple[str, TransitRoute]]
    stops_by_key: Mapping[str, tuple[TransitStop, ...]]

    def service_of_route(self, route_id: str) -> str:
        """The key of the service running merged route ``route_id``."""
        return self.route_origin[route_id][0]

    def original_stop(self, stop_id: str) -> TransitStop:
        """The feed's own stop behind merged stop ``stop_id``."""
        return self.stop_origin[stop_id][1]


def merged_id(key: str, own_id: str) -> str:
    """The id of a feed's ``own_id`` inside a network, for the service keyed ``key``."""
    return f"{key}{SEPARATOR}{own_id}"


def merge_timetables(parts: Sequence[tuple[str, Timetable]]) -> TransitNetwork:
    """Join timetables keyed by service into one network with prefixed ids.

    Raises
    ------
    TimetableError
        When two parts share a key or a key is empty or contains :data:`SEPARATOR`.
    """
    seen: set[str] = set()
    stops: list[TransitStop] = []
    stations: list[TransitStop] = []
    routes: list[TransitRoute] = []
    trips: list[TransitTrip] = []
    calendars: list[ServiceCalendar] = []
    stop_origin: dict[str, tuple[str, TransitStop]] = {}
    route_origin: dict[str, tuple[str, TransitRoute]] = {}
    fare_attributes: list[FareAttribute] = []
    fare_rules: list[FareRule] = []
    fares_v2: list[FaresV2] = []
    stops_by_key: dict[str, tuple[TransitStop, ...]] = {}
    for key, timetable in parts:
        if not key or SEPARATOR in key or key in seen:
            raise TimetableError(
                f"service key {key!r} is empty, repeated or contains {SEPARATOR!r}; expected "
                "one distinct key per timetable"
            )
        seen.add(key)

        def ref(own: str, key: str = key) -> str:
            return merged_id(key, own)

        for stop in timetable.stops:
            parent = None if stop.parent_station is None else ref(stop.parent_station)
            zone = None if stop.zone_id is None else ref(stop.zone_id)
            merged = dataclasses.replace(stop, id=ref(stop.id), parent_station=parent, zone_id=zone)
            stops.append(merged)
            stop_origin[merged.id] = (key, stop)
        stops_by_key[key] = tuple(stops[len(stops) - len(timetable.stops) :])
        stations += [dataclasses.replace(s, id=ref(s.id)) for s in timetable.stations]
        for route in timetable.routes:
            merged_route = dataclasses.replace(route, id=ref(route.id))
            routes.append(merged_route)
            route_origin[merged_route.id] = (key, route)
        calendars += [
            dataclasses.replace(c, service_id=ref(c.service_id)) for c in timetable.calendars
        ]
        trips += [
            dataclasses.replace(
                trip,
                id=ref(trip.id),
                route_id=ref(trip.route_id),
                service_id=ref(trip.service_id),
                stop_ids=tuple(ref(s) for s in trip.stop_ids),
            )
            for trip in timetable.trips
        ]
        # Each feed's fares price its own routes only, in its own zones.
        fare_attributes += [
            dataclasses.replace(f, id=ref(f.id), scope=ref("")) for f in timetable.fares.attributes
        ]
        fare_rules += [
            FareRule(
                ref(r.fare_id),
                None if r.route_id is None else ref(r.route_id),
                None if r.origin_zone is None else ref(r.origin_zone),
                None if r.destination_zone is None else ref(r.destination_zone),
                None if r.contains_zone is None else ref(r.contains_zone),
            )
            for r in timetable.fares.rules
        ]
        # Fares v2 keep their own networks, areas and groups; only route and stop ids move.
        fares_v2 += [
            dataclasses.replace(
                table,
                route_networks={ref(r): n for r, n in table.route_networks.items()},
                stop_areas={ref(s): a for s, a in table.stop_areas.items()},
                scope=ref(table.scope),
            )
            for table in timetable.fares_v2
        ]
    timetable = Timetable(
        stops=tuple(stops),
        routes=tuple(routes),
        trips=tuple(trips),
        calendars=tuple(calendars),
        source_id="+".join(key for key, _ in parts),
        stations=tuple(stations),
        fares=FareTable(tuple(fare_attributes), tuple(fare_rules)),
        fares_v2=tuple(fares_v2),
    )
    return TransitNetwork(timetable, tuple(parts), stop_origin, route_origin, stops_by_key)


def step_free(timetable: Timetable) -> Timetable:
    """``timetable`` as a wheelchair user may ride it.

    Trips the feed marks inaccessible (``wheelchair`` False) are dropped; at stops it marks
    inaccessible nobody boards or alights. Unknown accessibility (None) is kept, as
    OpenTripPlanner does by default: most feeds leave it blank.
    """
    barred = {stop.id for stop in timetable.stops if stop.wheelchair is False}
    trips = []
    for trip in timetable.trips:
        if trip.wheelchair is False:
            continue
        if barred & set(trip.stop_ids):
            n = len(trip.stop_ids)
            pickup = trip.pickup or (True,) * n
            drop_off = trip.drop_off or (True,) * n
            open_at = [stop not in barred for stop in trip.stop_ids]
            trip = dataclasses.replace(
                trip,
                pickup=tuple(a and b for a, b in zip(pickup, open_at, strict=True)),
                drop_off=tuple(a and b for a, b in zip(drop_off, open_at, strict=True)),
            )
        trips.append(trip)
    return dataclasses.replace(timetable, trips=tuple(trips))


def footpaths(
    network: TransitNetwork, walks_s: Mapping[tuple[str, str], float]
) -> dict[str, list[tuple[str, float]]]:
    """Footpaths for :class:`~routing.transit.raptor.RaptorIndex` over ``network``.

    Parameters
    ----------
    network
        The merged network.
    walks_s
        Measured walking seconds between merged stop ids ``(from, to)``, any services.

    Returns
    -------
    dict
        ``stop id -> [(stop id, seconds), ...]``: the measured walks, then each feed's
        ``transfers.txt`` rules between two different stops of that feed: kind 3 removes the
        footpath, kind 2 raises it to at least ``min_transfer_s`` (creating it if no walk was
        measured), kinds 0 and 1 create it when missing (with ``min_transfer_s`` or 0 s: the
        feed says the change works).
    """
    paths = {pair: float(seconds) for pair, seconds in walks_s.items() if pair[0] != pair[1]}
    for key, timetable in network.parts:
        for rule in timetable.transfers:
            if rule.from_stop_id == rule.to_stop_id:
                continue
            pair = (merged_id(key, rule.from_stop_id), merged_id(key, rule.to_stop_id))
            if rule.kind == 3:
                paths.pop(pair, None)
            elif rule.kind == 2:
                assert rule.min_transfer_s is not None
                paths[pair] = max(paths.get(pair, 0.0), float(rule.min_transfer_s))
            elif pair not in paths:
                paths[pair] = float(rule.min_transfer_s or 0)
    result: dict[str, list[tuple[str, float]]] = {}
    for (a, b), seconds in sorted(paths.items()):
        result.setdefault(a, []).append((b, seconds))
    return result
