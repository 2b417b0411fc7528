"""The RAPTOR index over every timetabled service of a catalogue snapshot, cached.

One index per set of services, service day and walking restriction: a journey may change from
one service's line to another's along a transfer walk measured on the streets
(:class:`~routing.planning.transfers.StreetTransfers`). A catalogue change that gives a
service a new timetable value (the catalogue version bumps, the snapshot is rebuilt) makes a
new value: the merged timetable and the index are rebuilt, while the transfer walks of stops
already seen come from the cache, so only new stops cost walking searches. A snapshot rebuilt
for another change (a bike station's counts) brings equal timetables: the index is kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from routing.planning.services import TransitService
from routing.planning.transfers import StreetTransfers
from routing.regions.issy import TIMEZONE
from routing.street.network import StreetNetwork
from routing.transit.network import TransitNetwork, footpaths, merge_timetables, step_free
from routing.transit.raptor import RaptorIndex

__all__ = ["TransitIndexes"]

# Old snapshots' entries beyond this many are dropped, oldest first.
_MAX_ENTRIES = 32

_Key = tuple[tuple[str, ...], frozenset[str], bool]


@dataclass(frozen=True)
class _Entry:
    timetables: tuple[object, ...]  # held so their ids cannot be reused while cached
    network: TransitNetwork
    paths: dict[str, list[tuple[str, float]]]
    by_day: dict[dt.date, RaptorIndex]


class TransitIndexes:
    """Merged networks and their per-day RAPTOR indexes, for one street network."""

    def __init__(self, network: StreetNetwork) -> None:
        self.transfers = StreetTransfers(network)
        self._entries: dict[_Key, _Entry] = {}
        self._lock = threading.Lock()
        self.builds = 0  # merged networks built so far (each a cache miss)

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
                network = merge_timetables(
                    [
                        (s.id, step_free(s.timetable) if wheelchair else s.timetable)
                        for s in services
                    ]
                )
                walks = self.transfers.walks(network.timetable.stops, avoid=avoid)
                entry = _Entry(timetables, network, footpaths(network, walks), {})
                self.builds += 1
                self._entries.pop(key, None)
                while len(self._entries) >= _MAX_ENTRIES:
                    self._entries.pop(next(iter(self._entries)))
                self._entries[key] = entry
            index = entry.by_day.get(day)
            if index is None:
                if len(entry.by_day) >= 8:
                    entry.by_day.clear()
                index = RaptorIndex(
                    entry.network.timetable, day, transfers=entry.paths, timezone=TIMEZONE.key
                )
                entry.by_day[day] = index
            return entry.network, index
