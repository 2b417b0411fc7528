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
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from itertools import chain

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
    "MergedPart",
    "TransitNetwork",
    "footpaths",
    "merge_part",
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


@dataclass(frozen=True)
class MergedPart:
    """One timetable's objects with their ids prefixed by its key, ready to be joined.

    Kept by callers (:class:`~routing.planning.transit_index.TransitIndexes`) per service, so
    that a network rebuilt because one service changed prefixes that service's objects only.
    ``source`` is the timetable it was made from (held: compare by identity).
    """

    key: str
    source: Timetable
    stops: tuple[TransitStop, ...]
    stations: tuple[TransitStop, ...]
    routes: tuple[TransitRoute, ...]
    trips: tuple[TransitTrip, ...]
    calendars: tuple[ServiceCalendar, ...]
    fare_attributes: tuple[FareAttribute, ...]
    fare_rules: tuple[FareRule, ...]
    fares_v2: tuple[FaresV2, ...]
    stop_origin: tuple[tuple[str, tuple[str, TransitStop]], ...]
    route_origin: tuple[tuple[str, tuple[str, TransitRoute]], ...]


def merge_part(key: str, timetable: Timetable) -> MergedPart:
    """``timetable``'s objects with ids prefixed by ``key`` (see :func:`merge_timetables`).

    Raises
    ------
    TimetableError
        When ``key`` is empty or contains :data:`SEPARATOR`.
    """
    if not key or SEPARATOR in key:
        raise TimetableError(
            f"service key {key!r} is empty or contains {SEPARATOR!r}; expected one distinct "
            "key per timetable"
        )

    def ref(own: str) -> str:
        return merged_id(key, own)

    stops = tuple(
        dataclasses.replace(
            stop,
            id=ref(stop.id),
            parent_station=None if stop.parent_station is None else ref(stop.parent_station),
            zone_id=None if stop.zone_id is None else ref(stop.zone_id),
        )
        for stop in timetable.stops
    )
    routes = tuple(dataclasses.replace(route, id=ref(route.id)) for route in timetable.routes)
    return MergedPart(
        key=key,
        source=timetable,
        stops=stops,
        stations=tuple(dataclasses.replace(s, id=ref(s.id)) for s in timetable.stations),
        routes=routes,
        trips=tuple(
            dataclasses.replace(
                trip,
                id=ref(trip.id),
                route_id=ref(trip.route_id),
                service_id=ref(trip.service_id),
                stop_ids=tuple(ref(s) for s in trip.stop_ids),
            )
            for trip in timetable.trips
        ),
        calendars=tuple(
            dataclasses.replace(c, service_id=ref(c.service_id)) for c in timetable.calendars
        ),
        # Each feed's fares price its own routes only, in its own zones.
        fare_attributes=tuple(
            dataclasses.replace(f, id=ref(f.id), scope=ref("")) for f in timetable.fares.attributes
        ),
        fare_rules=tuple(
            FareRule(
                ref(r.fare_id),
                None if r.route_id is None else ref(r.route_id),
                None if r.origin_zone is None else ref(r.origin_zone),
                None if r.destination_zone is None else ref(r.destination_zone),
                None if r.contains_zone is None else ref(r.contains_zone),
            )
            for r in timetable.fares.rules
        ),
        # Fares v2 keep their own networks, areas and groups; only route and stop ids move.
        fares_v2=tuple(
            dataclasses.replace(
                table,
                route_networks={ref(r): n for r, n in table.route_networks.items()},
                stop_areas={ref(s): a for s, a in table.stop_areas.items()},
                scope=ref(table.scope),
            )
            for table in timetable.fares_v2
        ),
        stop_origin=tuple(
            (merged.id, (key, stop)) for merged, stop in zip(stops, timetable.stops, strict=True)
        ),
        route_origin=tuple(
            (merged.id, (key, route))
            for merged, route in zip(routes, timetable.routes, strict=True)
        ),
    )


def merge_timetables(
    parts: Sequence[tuple[str, Timetable]],
    prepared: MutableMapping[str, MergedPart] | None = None,
) -> TransitNetwork:
    """Join timetables keyed by service into one network with prefixed ids.

    ``prepared`` keeps each key's :class:`MergedPart` between calls: a part whose timetable is
    the very one it was prepared from is reused, the others are prepared again and stored, so
    joining after one service changed costs that service's objects plus the concatenation.

    Raises
    ------
    TimetableError
        When two parts share a key or a key is empty or contains :data:`SEPARATOR`.
    """
    seen: set[str] = set()
    merged_parts: list[MergedPart] = []
    for key, timetable in parts:
        if key in seen:
            raise TimetableError(
                f"service key {key!r} is repeated; expected one distinct key per timetable"
            )
        seen.add(key)
        part = None if prepared is None else prepared.get(key)
        if part is None or part.source is not timetable:
            part = merge_part(key, timetable)
            if prepared is not None:
                prepared[key] = part
        merged_parts.append(part)
    timetable = Timetable(
        stops=tuple(chain.from_iterable(p.stops for p in merged_parts)),
        routes=tuple(chain.from_iterable(p.routes for p in merged_parts)),
        trips=tuple(chain.from_iterable(p.trips for p in merged_parts)),
        calendars=tuple(chain.from_iterable(p.calendars for p in merged_parts)),
        source_id="+".join(key for key, _ in parts),
        stations=tuple(chain.from_iterable(p.stations for p in merged_parts)),
        fares=FareTable(
            tuple(chain.from_iterable(p.fare_attributes for p in merged_parts)),
            tuple(chain.from_iterable(p.fare_rules for p in merged_parts)),
        ),
        fares_v2=tuple(chain.from_iterable(p.fares_v2 for p in merged_parts)),
    )
    return TransitNetwork(
        timetable,
        tuple(parts),
        dict(chain.from_iterable(p.stop_origin for p in merged_parts)),
        dict(chain.from_iterable(p.route_origin for p in merged_parts)),
        {p.key: p.stops for p in merged_parts},
    )


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
