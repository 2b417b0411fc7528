"""The RAPTOR index over every timetabled service of a catalogue snapshot, cached.

One index per set of services, service day and walking restriction: a journey may change from
one service's line to another's along a transfer walk measured on the streets
(:class:`~routing.planning.transfers.StreetTransfers`). A catalogue change that gives a
service a new timetable value (the catalogue version bumps, the snapshot is rebuilt) makes a
new value: the merged timetable and the index are rebuilt, while the transfer walks of stops
already seen come from the cache, so only new stops cost walking searches. A snapshot rebuilt
for another change (a bike station's counts) brings equal timetables: the index is kept.

Live data (GTFS-Realtime trip updates, :mod:`routing.transit.realtime`) changes a day's index,
never the merged network: each day's index is kept per set of live updates, so a new poll
rebuilds the day's RAPTOR arrays only, and equal updates keep them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from routing.planning.services import TransitService
from routing.planning.transfers import StreetTransfers
from routing.regions.issy import TIMEZONE
from routing.street.network import StreetNetwork
from routing.transit.network import (
    MergedPart,
    TransitNetwork,
    footpaths,
    merge_timetables,
    merged_id,
    step_free,
)
from routing.transit.raptor import RaptorIndex
from routing.transit.realtime import LiveTrip, TripUpdates, live_trip
from routing.transit.timetable import Timetable, TimetableError

__all__ = ["TransitIndexes", "live_trips"]

# Old snapshots' entries beyond this many are dropped, oldest first.
_MAX_ENTRIES = 32

# Days (with and without the wheelchair restriction) whose pattern blocks are kept.
_MAX_BLOCK_DAYS = 4

_Key = tuple[tuple[str, ...], frozenset[str], bool]


@dataclass(frozen=True)
class _Entry:
    timetables: tuple[object, ...]  # held so their ids cannot be reused while cached
    network: TransitNetwork
    paths: dict[str, list[tuple[str, float]]]
    by_day: dict[tuple[dt.date, tuple[TripUpdates | None, ...]], RaptorIndex]


class TransitIndexes:
    """Merged networks and their per-day RAPTOR indexes, for one street network."""

    def __init__(self, network: StreetNetwork) -> None:
        self.transfers = StreetTransfers(network)
        self._entries: dict[_Key, _Entry] = {}
        self._lock = threading.Lock()
        self.builds = 0  # merged networks built so far (each a cache miss)
        # Each service's prefixed objects (by wheelchair restriction, then service id), reused
        # while its timetable is the same value: a network rebuilt because one service
        # changed prefixes that service's objects only.
        self._prepared: dict[bool, dict[str, MergedPart]] = {False: {}, True: {}}
        self._step_free_of: dict[str, tuple[Timetable, Timetable]] = {}
        self.parts_prepared = 0
        """Services' timetables prefixed for a network so far (each a part cache miss)."""
        self.indexes_built = 0
        """Day indexes (RAPTOR arrays) built so far."""
        self.pattern_groups_split = 0
        """Groups of trips split into patterns by those indexes (not taken from a block)."""
        # Each day's RAPTOR pattern blocks by route and stops (see RaptorIndex ``blocks``):
        # an index rebuilt because one service changed splits that service's trips only.
        self._blocks: dict[tuple[dt.date, bool], dict[Any, Any]] = {}

    def _day_blocks(self, day: dt.date, wheelchair: bool) -> dict[Any, Any]:
        blocks = self._blocks.get((day, wheelchair))
        if blocks is None:
            while len(self._blocks) >= _MAX_BLOCK_DAYS:
                self._blocks.pop(next(iter(self._blocks)))  # the oldest day first
            blocks = self._blocks[(day, wheelchair)] = {}
        return blocks

    def _forget_parts_unused(self) -> None:
        """Drop the parts and step-free timetables of services no cached network has (a
        service retired, or last seen in an entry dropped): memory follows the networks."""
        used = {key for entry in self._entries.values() for key, _ in entry.network.parts}
        for prepared in self._prepared.values():
            for key in prepared.keys() - used:
                del prepared[key]
        for key in self._step_free_of.keys() - used:
            del self._step_free_of[key]

    def _step_free(self, service: TransitService) -> Timetable:
        cached = self._step_free_of.get(service.id)
        if cached is not None and cached[0] is service.timetable:
            return cached[1]
        timetable = step_free(service.timetable)
        self._step_free_of[service.id] = (service.timetable, timetable)
        return timetable

    def index(
        self,
        services: Sequence[TransitService],
        day: dt.date,
        *,
        avoid: frozenset[str] = frozenset(),
        wheelchair: bool = False,
    ) -> tuple[TransitNetwork, RaptorIndex]:
        """The network of ``services`` (keyed by service id) and its index for ``day``.

        ``avoid`` restricts the transfer walks; ``wheelchair`` keeps only the trips and stops
        a wheelchair user may use (:func:`~routing.transit.network.step_free`).
        """
        key: _Key = (tuple(service.id for service in services), avoid, wheelchair)
        timetables = tuple(service.timetable for service in services)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and any(
                a is not b for a, b in zip(entry.timetables, timetables, strict=True)
            ):
                if entry.timetables == timetables:
                    # A snapshot rebuilt for another service's change brings equal values:
                    # keep the index, and hold the new ones so identity answers next time.
                    entry = dataclasses.replace(entry, timetables=timetables)
                    self._entries[key] = entry
                else:
                    entry = None
            if entry is None:
                parts = [
                    (s.id, self._step_free(s) if wheelchair else s.timetable) for s in services
                ]
                prepared = self._prepared[wheelchair]
                self.parts_prepared += sum(
                    1 for k, t in parts if (part := prepared.get(k)) is None or part.source is not t
                )
                network = merge_timetables(parts, prepared)
                walks = self.transfers.walks(network.timetable.stops, avoid=avoid)
                entry = _Entry(timetables, network, footpaths(network, walks), {})
                self.builds += 1
                self._entries.pop(key, None)
                while len(self._entries) >= _MAX_ENTRIES:
                    self._entries.pop(next(iter(self._entries)))
                self._entries[key] = entry
                self._forget_parts_unused()
            live = tuple(service.live for service in services)
            index = entry.by_day.get((day, live))
            if index is None:
                if len(entry.by_day) >= 8:
                    entry.by_day.clear()
                index = RaptorIndex(
                    entry.network.timetable,
                    day,
                    transfers=entry.paths,
                    live=live_trips(entry.network, services, day),
                    timezone=TIMEZONE.key,
                    blocks=self._day_blocks(day, wheelchair),
                )
                self.indexes_built += 1
                self.pattern_groups_split += index.blocks_split
                entry.by_day[(day, live)] = index
            return entry.network, index


def live_trips(
    network: TransitNetwork, services: Sequence[TransitService], day: dt.date
) -> dict[tuple[str, dt.date], LiveTrip | None]:
    """The live state of the trips of ``day`` and the day before (trips running past
    midnight) by merged trip id; updates naming a trip the network lacks are left out (the
    marketplace reports them on the feed's status)."""
    result: dict[tuple[str, dt.date], LiveTrip | None] = {}
    days = (day, day - dt.timedelta(days=1))
    trips = network.timetable.trip_by_id
    for service in services:
        updates: TripUpdates | None = service.live
        if updates is None:
            continue
        for update in updates.trips:
            trip = trips.get(merged_id(service.id, update.trip_id))
            if trip is None or update.service_date not in days:
                continue
            try:
                result[(trip.id, update.service_date)] = live_trip(trip, update)
            except TimetableError:
                continue  # a stop past the trip's end: the schedule stands
    return result
