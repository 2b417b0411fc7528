"""Public transport journeys by RAPTOR (Delling, Pajor, Werneck 2012), compiled with numba.

Round *k* of RAPTOR finds the earliest arrival at every stop with at most *k* vehicles, so the
rounds give the Pareto set over (arrival, transfers) for free. A :class:`RaptorIndex` is built
once per service day from a :class:`~routing.transit.timetable.Timetable`:
trips sharing a route and a
stop sequence form a *pattern*, sorted by departure; trips that overtake one another go to
separate patterns, because a round boards the earliest catchable trip by binary search.

``arrive_by`` runs the same kernel on the time-reversed timetable (reverse RAPTOR: negated
times, reversed stop sequences and footpaths), so it answers, per number of transfers, the
latest departure that still arrives in time.

Times are whole seconds after midnight of the index's day. Trips of the previous service day
still running after midnight (GTFS times past 24:00:00) are included, shifted by one day.

A footpath transfer follows the origin or a ride, never another footpath, so give footpaths
between every pair of stops a passenger may walk between. ``min_transfer_s`` is the slack
between reaching a stop after a ride (on foot or not) and boarding the next vehicle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from routing.transit._mc_raptor_kernel import UNKNOWN_FARE_MINOR, _mc_raptor
from routing.transit._raptor_kernel import _ACCESS, _RIDE, _WALK, _raptor
from routing.transit.fares import FareRide
from routing.transit.fares_v2 import FaresV2
from routing.transit.options import OptionJourney, StopOption
from routing.transit.realtime import LiveTrip
from routing.transit.service_day import shift_between_s
from routing.transit.timetable import (
    Journey,
    StopCall,
    Timetable,
    TimetableError,
    TransferLeg,
    TransitLeg,
    TransitTrip,
)

__all__ = ["DEFAULT_MAX_DURATION_S", "RaptorIndex"]

#: Longest journey searched by default, waiting included: ample for a city.
DEFAULT_MAX_DURATION_S = 4 * 3600

_DAY_S = 86_400
_INF = np.iinfo(np.int64).max // 4  # room to add walking seconds without overflow
# Fare lookups larger than this (groups x zones x zones, each cell priced in Python when the
# index is built) are not searched on: the price is still computed for the journeys found, it
# is just no criterion of the search (a feed with a zone per stop, say).
_MAX_FARE_CELLS = 50_000


@dataclass(frozen=True, slots=True)
class _TripRef:
    trip: TransitTrip
    offset_s: int  # added to the trip's times to count from the query day's midnight
    service_date: date
    live: LiveTrip | None = None  # the trip's live state (its ``trip`` is ``trip``)


@dataclass(frozen=True, slots=True)
class _Network:
    """One direction of the timetable as flat arrays; the reverse one has negated times.

    ``arrays`` are the kernel's network arguments, in the order :func:`_raptor` unpacks them:
    CSR pattern -> stops, pattern -> rows of ``trip_refs``, pattern -> offset of its [trip,
    position] block of arrival and departure times, CSR stop -> (pattern, position), CSR
    stop -> footpaths (target stop, seconds), per trip and position (laid out as the times)
    whether that trip boards and alights there, per pattern stop whether any of its trips
    does, per trip row its alighting class (0: alights wherever its pattern does) and per
    pattern the number of classes.
    """

    arrays: tuple[NDArray[np.int64], ...]
    trip_refs: tuple[_TripRef, ...]
    trip_pattern: NDArray[np.int64]
    reverse: bool
    pattern_fare: NDArray[np.int64]  # fare group per pattern, -1: not priced by fares
    fare_minor: NDArray[np.int64]  # [group, board zone, alight zone] in this direction

    def board_stop(self, row: int, position: int) -> int:
        pattern_stop_start, pattern_stops = self.arrays[0], self.arrays[1]
        return int(pattern_stops[pattern_stop_start[self.trip_pattern[row]] + position])

    def pattern_length(self, row: int) -> int:
        pattern = self.trip_pattern[row]
        return int(self.arrays[0][pattern + 1] - self.arrays[0][pattern])


class RaptorIndex:
    """The timetable of one service day, compiled for RAPTOR queries. Thread-safe to query.

    Parameters
    ----------
    timetable
        The feed to search.
    day
        The query day; times in queries and answers count from its midnight (with a
        ``timezone``: from its GTFS service-day start, noon minus 12 h, which is midnight
        except on DST change days).
    transfers
        Footpaths ``stop id -> [(stop id, walking seconds), ...]`` (from street routing, or
        :func:`routing.transit.timetable.straight_line_transfers`).
        Changing vehicles at the same stop
        needs no entry.
    live
        Trips as they run today (:func:`~routing.transit.realtime.live_trip`) by ``(trip
        id, service date)``; ``None`` for a cancelled trip. Trips not named run to schedule.
    timezone
        The IANA zone the query times are in; each route's own ``timezone`` (its agency's)
        is converted to it. ``None``: every feed's times are taken as the query's.
    blocks
        Patterns kept between indexes of the same day, by route, stops and direction: a group
        of trips equal (by identity) to the one a block was made from reuses it, so an index
        rebuilt because one feed of a merged network changed splits that feed's trips only.
        The caller owns it (one per day); ``None``: nothing kept.

    Raises
    ------
    TimetableError
        When a transfer names an unknown stop or has a negative or non-finite duration.
    """

    def __init__(
        self,
        timetable: Timetable,
        day: date,
        *,
        transfers: Mapping[str, Sequence[tuple[str, float]]] | None = None,
        live: Mapping[tuple[str, date], LiveTrip | None] | None = None,
        timezone: str | None = None,
        blocks: MutableMapping[tuple[str, tuple[str, ...], bool], _PatternBlock] | None = None,
    ) -> None:
        self.timetable = timetable
        self._blocks = blocks
        self.blocks_split = 0
        """Groups of trips (a route's trips over the same stops) split into patterns here,
        rather than taken from ``blocks``."""
        self.day = day
        self.timezone = timezone
        self.stops = timetable.stops
        self._stop_index = {stop.id: i for i, stop in enumerate(self.stops)}
        self._children: dict[str, list[str]] = {}
        for stop in self.stops:
            if stop.parent_station is not None:
                self._children.setdefault(stop.parent_station, []).append(stop.id)
        yesterday = day - timedelta(days=1)
        self._shifts: dict[tuple[date, str], int] = {}
        refs = [_TripRef(t, self._offset_s(t, day), day) for t in timetable.active_trips(day)]
        for trip in timetable.active_trips(yesterday):
            offset_s = self._offset_s(trip, yesterday)
            if trip.arrival_s[-1] + offset_s > 0:
                refs.append(_TripRef(trip, offset_s, yesterday))
        self._refs = _live_refs(refs, live) if live else refs
        self._footpaths = self._footpath_edges(transfers or {})
        self._route_fare, self._stop_zone, self._fare_minor = _fare_arrays(timetable)
        self._forward = self._build(reverse=False)
        self._backward: _Network | None = None  # built on the first arrive-by query

    def _offset_s(self, trip: TransitTrip, service_date: date) -> int:
        """Seconds from ``trip``'s service-day clock to the index's: a whole day back for
        yesterday's trips, and, with a ``timezone``, each feed's own ``agency_timezone`` and
        the DST change of the day (GTFS counts from noon minus 12 h)."""
        if self.timezone is None:
            return 0 if service_date == self.day else -_DAY_S
        zone = self.timetable.route_by_id[trip.route_id].timezone or self.timezone
        shift = self._shifts.get((service_date, zone))
        if shift is None:
            shift = shift_between_s(service_date, zone, self.day, self.timezone)
            self._shifts[(service_date, zone)] = shift
        return shift

    @property
    def pattern_count(self) -> int:
        """How many patterns the day's trips form (overtaking trips split a route)."""
        return len(self._forward.arrays[0]) - 1

    def depart_at(
        self,
        access: Mapping[str, float],
        egress: Mapping[str, float],
        depart_at_s: int,
        *,
        max_transfers: int = 4,
        min_transfer_s: int = 60,
        max_duration_s: int | None = DEFAULT_MAX_DURATION_S,
    ) -> list[Journey]:
        """Earliest-arrival journeys leaving at or after ``depart_at_s``, Pareto over transfers.

        Parameters
        ----------
        access, egress
            Walking seconds from the origin to stops and from stops to the destination; a
            station id stands for all its stops.
        depart_at_s
            Departure from the origin, seconds after midnight of ``day``.
        max_transfers
            Most vehicle changes a journey may have.
        min_transfer_s
            Slack between reaching a stop (by vehicle or on foot) and boarding the next
            vehicle; footpaths add their walking time before it.
        max_duration_s
            Journeys arriving later than ``depart_at_s + max_duration_s`` are not searched
            (``None``: no limit); it keeps a late query from answering the next night's bus.

        Returns
        -------
        list[Journey]
            One journey per number of transfers that arrives strictly earlier than every
            journey with fewer, ordered by transfers; empty when no journey exists. A ride
            must also beat walking through a stop that is both an access and an egress stop:
            the planner's direct walk covers that case.

        Raises
        ------
        TimetableError
            When an access or egress stop is unknown or its time negative or not finite.
        """
        return self._search(
            access, egress, depart_at_s, max_transfers, min_transfer_s, max_duration_s, False
        )

    #: The name the planner calls; a forward (earliest-arrival) search.
    search = depart_at

    def arrive_by(
        self,
        access: Mapping[str, float],
        egress: Mapping[str, float],
        arrive_by_s: int,
        *,
        max_transfers: int = 4,
        min_transfer_s: int = 60,
        max_duration_s: int | None = DEFAULT_MAX_DURATION_S,
    ) -> list[Journey]:
        """Latest-departure journeys arriving by ``arrive_by_s`` (reverse RAPTOR).

        Same parameters as :meth:`depart_at`; answers, per number of transfers, the journey
        leaving the origin latest, kept when it leaves strictly later than every journey
        with fewer transfers. Departures before ``arrive_by_s - max_duration_s`` are not
        searched.
        """
        if self._backward is None:
            self._backward = self._build(reverse=True)
        return self._search(
            egress, access, -arrive_by_s, max_transfers, min_transfer_s, max_duration_s, True
        )

    def pareto_depart_at(
        self,
        access: Mapping[str, float],
        egress: Mapping[str, float],
        depart_at_s: int,
        *,
        max_transfers: int = 4,
        min_transfer_s: int = 60,
        max_duration_s: int | None = DEFAULT_MAX_DURATION_S,
    ) -> list[Journey]:
        """Journeys leaving at or after ``depart_at_s``, Pareto over arrival, transfers and
        walking (McRAPTOR).

        Same parameters as :meth:`depart_at`; access, egress and footpath seconds are the
        walking criterion. Returns every journey that no other beats or equals on all three
        (walking through a stop without riding counts as a rival, as in :meth:`depart_at`),
        ordered by transfers, then arrival.
        """
        found = self._pareto(
            _walks(access, "access"),
            _walks(egress, "egress"),
            depart_at_s,
            max_transfers,
            min_transfer_s,
            max_duration_s,
            False,
        )
        return [one.journey for one in found]

    def pareto_arrive_by(
        self,
        access: Mapping[str, float],
        egress: Mapping[str, float],
        arrive_by_s: int,
        *,
        max_transfers: int = 4,
        min_transfer_s: int = 60,
        max_duration_s: int | None = DEFAULT_MAX_DURATION_S,
    ) -> list[Journey]:
        """Journeys arriving by ``arrive_by_s``, Pareto over departure (later is better),
        transfers and walking; ordered by transfers, then latest departure first."""
        return [
            one.journey
            for one in self.pareto_options(
                _walks(access, "access"),
                _walks(egress, "egress"),
                arrive_by_s,
                arrive_by=True,
                max_transfers=max_transfers,
                min_transfer_s=min_transfer_s,
                max_duration_s=max_duration_s,
            )
        ]

    def pareto_options(
        self,
        access: Sequence[StopOption],
        egress: Sequence[StopOption],
        time_s: int,
        *,
        arrive_by: bool = False,
        max_transfers: int = 4,
        min_transfer_s: int = 60,
        max_duration_s: int | None = DEFAULT_MAX_DURATION_S,
        max_slower: tuple[float, int] | None = None,
    ) -> list[OptionJourney]:
        """Journeys from any access option to any egress option, Pareto over arrival (or
        departure, ``arrive_by``), transfers, walking, price and private vehicles.

        ``max_slower`` ``(ratio, seconds)`` narrows the search to journeys at most
        ``max(seconds, ratio * d)`` slower than the fastest journey with a ride, ``d`` being
        that one's time from ``time_s``: the Pareto set is then exact within that window only,
        and the search much cheaper on a large network. ``None``: the whole Pareto set.

        Several options may reach one stop (a walk, a shared bike's ride, a car to a
        park-and-ride): each seeds the search with its own time, walking, price and vehicle
        bits, and the answer says which access and egress option each journey uses. A
        journey needing a private vehicle never hides one that does not.

        Raises
        ------
        TimetableError
            When an option's stop is unknown or one of its numbers out of range.
        """
        for role, options in (("access", access), ("egress", egress)):
            for option in options:
                option.check(role)
        if max_slower is not None and not (max_slower[0] >= 0 and max_slower[1] >= 0):
            raise TimetableError(f"max_slower={max_slower}; expected a ratio and seconds >= 0")
        if not arrive_by:
            return self._pareto(
                access,
                egress,
                time_s,
                max_transfers,
                min_transfer_s,
                max_duration_s,
                False,
                max_slower,
            )
        if self._backward is None:
            self._backward = self._build(reverse=True)
        found = self._pareto(
            egress, access, -time_s, max_transfers, min_transfer_s, max_duration_s, True, max_slower
        )
        return [
            OptionJourney(one.journey, one.egress, one.access, one.walk_s, one.price_minor)
            for one in found
        ]

    # -- building ---------------------------------------------------------------------------

    def _footpath_edges(
        self, transfers: Mapping[str, Sequence[tuple[str, float]]]
    ) -> list[tuple[int, int, int]]:
        edges: list[tuple[int, int, int]] = []
        for from_id, pairs in transfers.items():
            for to_id, walk_s in pairs:
                for stop_id in (from_id, to_id):
                    if stop_id not in self._stop_index:
                        raise TimetableError(
                            f"transfer {from_id!r} -> {to_id!r}: stop {stop_id!r} is not a "
                            f"boarding stop of timetable {self.timetable.source_id!r}"
                        )
                if not (math.isfinite(walk_s) and walk_s >= 0):
                    raise TimetableError(
                        f"transfer {from_id!r} -> {to_id!r}: {walk_s!r} s; expected finite "
                        "seconds >= 0"
                    )
                if from_id != to_id:
                    edges.append(
                        (self._stop_index[from_id], self._stop_index[to_id], math.ceil(walk_s))
                    )
        return edges

    def _build(self, *, reverse: bool) -> _Network:
        n_stops = len(self.stops)
        # A pattern shares its route and stops; where each trip may board and alight is the
        # trip's own (a live trip skipping a stop stays in its pattern, see ``trip_class``).
        groups: dict[tuple[str, tuple[str, ...]], list[_TripRef]] = {}
        for ref in self._refs:
            groups.setdefault((ref.trip.route_id, ref.trip.stop_ids), []).append(ref)
        blocks: list[_PatternBlock] = []
        for (route_id, stop_ids), refs in groups.items():
            key = (route_id, stop_ids, reverse)
            block = None if self._blocks is None else self._blocks.get(key)
            # The same trips (by identity: the network kept the unchanged services' trip
            # values) at the same offsets and live states make the same patterns.
            if block is None or block.refs != tuple(refs):
                block = _pattern_block(route_id, stop_ids, tuple(refs), reverse=reverse)
                self.blocks_split += 1
                if self._blocks is not None:
                    self._blocks[key] = block
            blocks.append(block)
        # (stop indices, trip count) per pattern, in the blocks' order.
        pattern_lengths: list[int] = []
        pattern_sizes: list[int] = []
        stop_indices: list[int] = []
        pattern_fare: list[int] = []
        for block in blocks:
            stops = [self._stop_index[s] for s in block.stop_ids]
            for members in block.members:
                stop_indices += stops
                pattern_lengths.append(len(stops))
                pattern_sizes.append(len(members))
            pattern_fare += [self._route_fare.get(block.route_id, -1)] * len(block.members)
        n_patterns = len(pattern_lengths)
        lengths = np.array(pattern_lengths, np.int64)
        sizes = np.array(pattern_sizes, np.int64)
        pattern_stop_start = np.zeros(n_patterns + 1, np.int64)
        pattern_trip_start = np.zeros(n_patterns + 1, np.int64)
        time_start = np.zeros(n_patterns + 1, np.int64)
        np.cumsum(lengths, out=pattern_stop_start[1:])
        np.cumsum(sizes, out=pattern_trip_start[1:])
        np.cumsum(lengths * sizes, out=time_start[1:])
        pattern_stops = np.array(stop_indices, np.int64)
        empty = np.zeros(0, np.int64)

        def joined(name: str) -> NDArray[np.int64]:
            return np.concatenate([getattr(b, name) for b in blocks] or [empty]).astype(np.int64)

        trip_pattern = np.repeat(np.arange(n_patterns), np.diff(pattern_trip_start))

        # Stop -> (pattern, position), grouped by stop through a stable sort.
        positions = np.arange(len(pattern_stops)) - np.repeat(
            pattern_stop_start[:-1], np.diff(pattern_stop_start)
        )
        owners = np.repeat(np.arange(n_patterns), np.diff(pattern_stop_start))
        order = np.argsort(pattern_stops, kind="stable")
        stop_pattern_start = np.zeros(n_stops + 1, np.int64)
        np.cumsum(np.bincount(pattern_stops, minlength=n_stops), out=stop_pattern_start[1:])

        edges = [(b, a, w) if reverse else (a, b, w) for a, b, w in self._footpaths]
        edges.sort()
        transfer_start = np.zeros(n_stops + 1, np.int64)
        np.cumsum(
            np.bincount(np.array([a for a, _, _ in edges], np.int64), minlength=n_stops),
            out=transfer_start[1:],
        )
        arrays = (
            pattern_stop_start,
            pattern_stops,
            pattern_trip_start,
            time_start[:-1].copy(),
            joined("arrival_s"),
            joined("departure_s"),
            stop_pattern_start,
            owners[order].astype(np.int64),
            positions[order].astype(np.int64),
            transfer_start,
            np.array([b for _, b, _ in edges], np.int64),
            np.array([w for _, _, w in edges], np.int64),
            joined("can_board"),
            joined("can_alight"),
            joined("any_board"),
            joined("any_alight"),
            joined("trip_class"),
            joined("pattern_classes"),
        )
        return _Network(
            arrays=tuple(np.ascontiguousarray(a, np.int64) for a in arrays),
            trip_refs=tuple(
                ref for block in blocks for members in block.members for ref in members
            ),
            trip_pattern=trip_pattern.astype(np.int64),
            reverse=reverse,
            pattern_fare=np.array(pattern_fare, np.int64),
            # Reversed, a ride is searched from where it alights to where it boards.
            fare_minor=np.ascontiguousarray(
                self._fare_minor.transpose(0, 2, 1) if reverse else self._fare_minor
            ),
        )

    # -- querying ---------------------------------------------------------------------------

    def _seconds_by_stop(self, seconds: Mapping[str, float], role: str) -> dict[int, int]:
        result: dict[int, int] = {}
        for stop_id, value in seconds.items():
            if not (
                isinstance(value, int | float | np.number) and math.isfinite(value) and value >= 0
            ):
                raise TimetableError(
                    f"{role} stop {stop_id!r}: {value!r} s; expected finite seconds >= 0"
                )
            ids = self._children.get(stop_id, [stop_id])
            for one in ids:
                if one not in self._stop_index:
                    raise TimetableError(
                        f"{role} stop {stop_id!r} is not a stop or station of timetable "
                        f"{self.timetable.source_id!r}"
                    )
                index = self._stop_index[one]
                result[index] = min(result.get(index, _INF), math.ceil(value))
        return result

    def _search(
        self,
        sources: Mapping[str, float],
        targets: Mapping[str, float],
        start_s: int,
        max_transfers: int,
        min_transfer_s: int,
        max_duration_s: int | None,
        reverse: bool,
    ) -> list[Journey]:
        if max_transfers < 0 or min_transfer_s < 0 or (max_duration_s or 0) < 0:
            raise TimetableError(
                f"max_transfers={max_transfers}, min_transfer_s={min_transfer_s}, "
                f"max_duration_s={max_duration_s}; expected all >= 0"
            )
        bound_s = _INF if max_duration_s is None else int(start_s) + max_duration_s
        net = self._backward if reverse else self._forward
        assert net is not None
        source_s = self._seconds_by_stop(sources, "egress" if reverse else "access")
        target_s = self._seconds_by_stop(targets, "access" if reverse else "egress")
        if not source_s or not target_s:
            return []
        n_stops = len(self.stops)
        seeds = np.array(list(source_s), np.int64)
        seed_s = np.array([source_s[s] for s in seeds], np.int64)
        target_by_stop = np.full(n_stops, -1, np.int64)
        for stop, seconds in target_s.items():
            target_by_stop[stop] = seconds
        labels = _raptor(
            net.arrays,
            seeds,
            seed_s,
            target_by_stop,
            int(start_s),
            bound_s,
            max_transfers + 1,
            int(min_transfer_s),
        )
        arrival = labels[0]
        journeys: list[Journey] = []
        targets_idx = np.flatnonzero(target_by_stop >= 0)
        # Round 0 walks through a stop without riding: a ride must beat that to count.
        best = int((arrival[0, targets_idx] + target_by_stop[targets_idx]).min())
        for k in range(1, arrival.shape[0]):
            at_target = arrival[k, targets_idx] + target_by_stop[targets_idx]
            stop = int(targets_idx[int(np.argmin(at_target))])
            if at_target.min() >= best or at_target.min() > bound_s:
                continue
            best = int(at_target.min())
            steps = _trace(labels, net, k, stop)
            journeys.append(self._journey(net, steps, source_s, target_s))
        return journeys

    def _pareto(
        self,
        sources: Sequence[StopOption],
        targets: Sequence[StopOption],
        start_s: int,
        max_transfers: int,
        min_transfer_s: int,
        max_duration_s: int | None,
        reverse: bool,
        max_slower: tuple[float, int] | None = None,
    ) -> list[OptionJourney]:
        """McRAPTOR in one direction; ``sources`` seed it, ``targets`` end it (for a reverse
        search the egress options are the sources). The answer's ``access``/``egress`` are
        indexes in ``sources``/``targets``."""
        if max_transfers < 0 or min_transfer_s < 0 or (max_duration_s or 0) < 0:
            raise TimetableError(
                f"max_transfers={max_transfers}, min_transfer_s={min_transfer_s}, "
                f"max_duration_s={max_duration_s}; expected all >= 0"
            )
        bound_s = _INF if max_duration_s is None else int(start_s) + max_duration_s
        net = self._backward if reverse else self._forward
        assert net is not None
        seeds = self._option_arrays(sources, "egress" if reverse else "access")
        ends = self._option_arrays(targets, "access" if reverse else "egress")
        if not len(seeds[0]) or not len(ends[0]):
            return []
        # Egress options grouped by stop (CSR), remembering each one's place in ``targets``.
        order = np.argsort(ends[0], kind="stable")
        target_start = np.zeros(len(self.stops) + 1, np.int64)
        np.cumsum(np.bincount(ends[0], minlength=len(self.stops)), out=target_start[1:])
        grouped = tuple(np.ascontiguousarray(a[order]) for a in ends[1:5])
        # A label's price: its access option's, plus its rides' fares, plus its egress's.
        kinds, refs, dest_t, dest_w, dest_c, dest_v, dest_ref, _ = _mc_raptor(
            net.arrays,
            seeds[:5],
            (target_start, *grouped),
            int(start_s),
            bound_s,
            max_transfers + 1,
            int(min_transfer_s),
            net.pattern_fare,
            self._stop_zone,
            net.fare_minor,
            0.0 if max_slower is None else float(max_slower[0]),
            _INF if max_slower is None else int(max_slower[1]),
        )
        seed_owner, target_owner = seeds[5], ends[5][order]
        found = list(
            zip(
                dest_t.tolist(),
                dest_ref[:, 0].tolist(),
                dest_w.tolist(),
                dest_c.tolist(),
                dest_v.tolist(),
                strict=True,
            )
        )
        limit_s = _INF
        if max_slower is not None:
            # Journeys kept before a faster one narrowed the window are dropped here.
            for t, k, *_ in found:
                if k > 0:
                    slack = max(max_slower[1], int(max_slower[0] * (t - int(start_s))))
                    limit_s = min(limit_s, t + slack)
        journeys: list[tuple[int, int, OptionJourney]] = []
        for i, (t, k, w, c, v) in enumerate(found):
            if (
                k == 0
                or t > limit_s
                or any(
                    o[0] <= t
                    and o[1] <= k
                    and o[2] <= w
                    and o[3] <= c
                    and (o[4] & ~v) == 0
                    and (o != (t, k, w, c, v) or j < i)
                    for j, o in enumerate(found)
                    if j != i
                )
            ):
                continue  # walking only, beaten, or a copy of one kept
            label, stop, egress = (int(x) for x in dest_ref[i, 1:])
            steps, seed = _trace_labels(kinds, refs, net, label, stop)
            source = int(seed_owner[seed])
            target = int(target_owner[egress])
            journey = self._journey(
                net,
                steps,
                {int(seeds[0][seed]): int(seeds[1][seed])},
                {stop: int(grouped[0][egress])},
            )
            # The options' prices only: rides are priced exactly on the journey's legs.
            price = int(seeds[3][seed]) + int(grouped[2][egress])
            journeys.append((k, t, OptionJourney(journey, source, target, w, price)))
        journeys.sort(key=lambda item: (item[0], item[1]))
        return [journey for _, _, journey in journeys]

    def _option_arrays(
        self, options: Sequence[StopOption], role: str
    ) -> tuple[NDArray[np.int64], ...]:
        """(stop, seconds, walking seconds, price, vehicles, option index) per stop an option
        reaches (a station id stands for each of its stops)."""
        rows: list[tuple[int, int, int, int, int, int]] = []
        for i, option in enumerate(options):
            for one in self._children.get(option.stop_id, [option.stop_id]):
                if one not in self._stop_index:
                    raise TimetableError(
                        f"{role} stop {option.stop_id!r} is not a stop or station of timetable "
                        f"{self.timetable.source_id!r}"
                    )
                rows.append(
                    (
                        self._stop_index[one],
                        math.ceil(option.duration_s),
                        math.ceil(option.walking_s),
                        option.price_minor,
                        option.vehicles,
                        i,
                    )
                )
        if not rows:
            return tuple(np.zeros(0, np.int64) for _ in range(6))
        table = np.array(rows, np.int64)
        return tuple(np.ascontiguousarray(table[:, j]) for j in range(6))

    def _journey(
        self,
        net: _Network,
        steps: list[tuple[int, int, int, int]],
        source_s: dict[int, int],
        target_s: dict[int, int],
    ) -> Journey:
        # steps run from source to target in the network's direction: (_RIDE, row, board
        # position, alight position) or (_WALK, from stop, to stop, seconds); flip for reverse.
        if net.reverse:
            flipped = []
            for kind, a, b, c in reversed(steps):
                if kind == _RIDE:
                    n = net.pattern_length(a)
                    flipped.append((kind, a, n - 1 - c, n - 1 - b))
                else:
                    flipped.append((kind, b, a, c))
            steps = flipped
            source_s, target_s = target_s, source_s
        legs: list[TransitLeg | TransferLeg] = []
        for kind, a, b, c in steps:
            if kind == _WALK:
                legs.append(TransferLeg(self.stops[a], self.stops[b], c))
            else:
                legs.append(self._ride(net.trip_refs[a], b, c))
        first_stop = legs[0].board_stop if isinstance(legs[0], TransitLeg) else legs[0].from_stop
        last_stop = legs[-1].alight_stop if isinstance(legs[-1], TransitLeg) else legs[-1].to_stop
        access_s = source_s[self._stop_index[first_stop.id]]
        egress_s = target_s[self._stop_index[last_stop.id]]
        # Walk back from the first ride's departure and forward from the last ride's arrival.
        rides = [i for i, leg in enumerate(legs) if isinstance(leg, TransitLeg)]
        before_s = sum(leg.duration_s for leg in legs[: rides[0]])
        after_s = sum(leg.duration_s for leg in legs[rides[-1] + 1 :])
        first_ride, last_ride = legs[rides[0]], legs[rides[-1]]
        assert isinstance(first_ride, TransitLeg) and isinstance(last_ride, TransitLeg)
        return Journey(
            access_stop=first_stop,
            access_s=access_s,
            egress_stop=last_stop,
            egress_s=egress_s,
            legs=tuple(legs),
            departure_s=first_ride.departure_s - before_s - access_s,
            arrival_s=last_ride.arrival_s + after_s + egress_s,
        )

    def _ride(self, ref: _TripRef, board: int, alight: int) -> TransitLeg:
        trip, offset_s = ref.trip, ref.offset_s
        stop_by_id = self.timetable.stop_by_id
        calls = tuple(
            StopCall(
                stop_by_id[trip.stop_ids[i]],
                trip.arrival_s[i] + offset_s,
                trip.departure_s[i] + offset_s,
            )
            for i in range(board + 1, alight)
        )
        scheduled_departure_s = scheduled_arrival_s = None
        if ref.live is not None:
            skipped = ref.live.skipped
            calls = tuple(
                c for i, c in zip(range(board + 1, alight), calls, strict=True) if i not in skipped
            )
            scheduled = ref.live.scheduled
            scheduled_departure_s = scheduled.departure_s[board] + offset_s
            scheduled_arrival_s = scheduled.arrival_s[alight] + offset_s
        return TransitLeg(
            route=self.timetable.route_by_id[trip.route_id],
            trip=trip,
            service_date=ref.service_date,
            board_stop=stop_by_id[trip.stop_ids[board]],
            alight_stop=stop_by_id[trip.stop_ids[alight]],
            departure_s=trip.departure_s[board] + offset_s,
            arrival_s=trip.arrival_s[alight] + offset_s,
            intermediate_stops=calls,
            scheduled_departure_s=scheduled_departure_s,
            scheduled_arrival_s=scheduled_arrival_s,
        )


@dataclass(frozen=True)
class _PatternBlock:
    """The patterns of one route and stop sequence, in one direction, as arrays ready to be
    joined: what :meth:`RaptorIndex._build` computes per group of trips. Kept between indexes
    (``blocks``) so that a network rebuilt because one service changed recomputes that
    service's blocks only. Stops are kept as ids: their indices change with the network."""

    route_id: str
    stop_ids: tuple[str, ...]  # in this direction's order
    refs: tuple[_TripRef, ...]  # the group's trips as given (compared to reuse the block)
    members: tuple[tuple[_TripRef, ...], ...]  # per pattern, its trips in boarding order
    arrival_s: NDArray[np.int64]  # per member trip and stop, this direction's terms
    departure_s: NDArray[np.int64]
    can_board: NDArray[np.int64]
    can_alight: NDArray[np.int64]
    any_board: NDArray[np.int64]  # per pattern stop
    any_alight: NDArray[np.int64]
    trip_class: NDArray[np.int64]  # per member trip
    pattern_classes: NDArray[np.int64]  # per pattern


def _pattern_block(
    route_id: str, stop_ids: tuple[str, ...], refs: tuple[_TripRef, ...], *, reverse: bool
) -> _PatternBlock:
    """Split one group of trips (same route and stops) into non-overtaking patterns."""
    # Per trip, times in this direction's terms: reversed and negated for reverse RAPTOR.
    times: list[tuple[NDArray[np.int64], NDArray[np.int64]]] = []
    flags: list[tuple[tuple[bool, ...], tuple[bool, ...]]] = []  # (board, alight)
    for ref in refs:
        trip = ref.trip
        arr = np.asarray(trip.arrival_s, np.int64) + ref.offset_s
        dep = np.asarray(trip.departure_s, np.int64) + ref.offset_s
        every = (True,) * len(trip.stop_ids)
        pickup, drop_off = trip.pickup or every, trip.drop_off or every
        if reverse:  # reversed, alighting is boarding
            times.append((-dep[::-1], -arr[::-1]))
            flags.append((drop_off[::-1], pickup[::-1]))
        else:
            times.append((arr, dep))
            flags.append((pickup, drop_off))
    rows = sorted(range(len(refs)), key=lambda r: (times[r][1][0], times[r][0][-1]))
    # No overtaking within a pattern: each trip joins the first one whose last trip it never
    # passes, so departures at every stop stay sorted for binary search.
    split: list[list[int]] = []
    for row in rows:
        arr, dep = times[row]
        for members in split:
            last_arr, last_dep = times[members[-1]]
            if np.all(arr >= last_arr) and np.all(dep >= last_dep):
                members.append(row)
                break
        else:
            split.append([row])
    # Per pattern stop, whether any of its trips boards (alights) there; per trip, its class:
    # 0 when it alights wherever any trip of its pattern does (it then beats every later
    # trip), else one number per distinct set of alighting stops (a trip beats a later one of
    # its own class only).
    any_board: list[bool] = []
    any_alight: list[bool] = []
    trip_class: list[int] = []
    pattern_classes: list[int] = []
    for members in split:
        any_board += [any(col) for col in zip(*(flags[r][0] for r in members), strict=True)]
        alight_any = tuple(any(col) for col in zip(*(flags[r][1] for r in members), strict=True))
        any_alight += alight_any
        classes: dict[tuple[bool, ...], int] = {alight_any: 0}
        for r in members:
            trip_class.append(classes.setdefault(flags[r][1], len(classes)))
        pattern_classes.append(len(classes))
    ordered = [r for members in split for r in members]
    return _PatternBlock(
        route_id=route_id,
        stop_ids=stop_ids[::-1] if reverse else stop_ids,
        refs=refs,
        members=tuple(tuple(refs[r] for r in members) for members in split),
        arrival_s=np.concatenate([times[r][0] for r in ordered]),
        departure_s=np.concatenate([times[r][1] for r in ordered]),
        can_board=np.array([f for r in ordered for f in flags[r][0]], np.int64),
        can_alight=np.array([f for r in ordered for f in flags[r][1]], np.int64),
        any_board=np.array(any_board, np.int64),
        any_alight=np.array(any_alight, np.int64),
        trip_class=np.array(trip_class, np.int64),
        pattern_classes=np.array(pattern_classes, np.int64),
    )


def _live_refs(
    refs: list[_TripRef], live: Mapping[tuple[str, date], LiveTrip | None]
) -> list[_TripRef]:
    """``refs`` with live trips in place of scheduled ones, cancelled ones left out."""
    result = []
    for ref in refs:
        key = (ref.trip.id, ref.service_date)
        if key not in live:
            result.append(ref)
            continue
        state = live[key]
        if state is not None:
            result.append(_TripRef(state.trip, ref.offset_s, ref.service_date, state))
    return result


def _fare_arrays(
    timetable: Timetable,
) -> tuple[dict[str, int], NDArray[np.int64], NDArray[np.int64]]:
    """The search's view of the fares: route -> fare group, stop -> zone index, and the price
    of one ride per group, boarding zone and alighting zone (zone 0: none).

    A stop's zone is its v1 ``zone_id`` with its fares v2 areas. Under v1, routes that no rule
    names share one group and each route a rule names has its own; under v2, the routes of one
    network share a group. A ride is priced alone (v1: the cheapest fare covering it,
    ``contains_id`` judged on its two ends; v2: the cheapest product of the rules matching
    it); transfers between rides are priced exactly on the journeys found.
    """
    fares = timetable.fares
    tables = timetable.fares_v2

    def areas(stop_id: str) -> frozenset[str]:
        return frozenset().union(*(t.stop_areas.get(stop_id, frozenset()) for t in tables))

    none: tuple[str | None, frozenset[str]] = (None, frozenset())
    keys = [(s.zone_id, areas(s.id)) for s in timetable.stops]
    zones = [none, *sorted(set(keys) - {none}, key=lambda k: (k[0] or "", sorted(k[1])))]
    zone_index = {zone: i for i, zone in enumerate(zones)}
    stop_zone = np.array([zone_index[key] for key in keys], np.int64)
    named = {rule.route_id for rule in fares.rules if rule.route_id is not None}
    # One representative route per group: each named route, and the first unnamed one (v1);
    # the first route of each network (v2).
    groups: dict[tuple[str, ...], int] = {}
    representatives: list[tuple[str, FaresV2 | None]] = []
    route_fare: dict[str, int] = {}
    for route in timetable.routes:
        table = next((t for t in tables if t.prices_route(route.id)), None)
        if table is not None:
            key: tuple[str, ...] = ("v2", table.scope, table.route_networks.get(route.id, ""))
        elif fares.prices_route(route.id):
            scope = next(f.scope for f in fares.attributes if route.id.startswith(f.scope))
            key = ("v1", route.id) if route.id in named else ("v1", "\0", scope)
        else:
            continue
        if key not in groups:
            groups[key] = len(representatives)
            representatives.append((route.id, table))
        route_fare[route.id] = groups[key]
    n_zones = len(zones)
    if not representatives or len(representatives) * n_zones * n_zones > _MAX_FARE_CELLS:
        return {}, stop_zone, np.zeros((1, n_zones, n_zones), np.int64)
    fare_minor = np.full((len(representatives), n_zones, n_zones), UNKNOWN_FARE_MINOR, np.int64)
    for g, (route_id, table) in enumerate(representatives):
        for a, (zone_a, areas_a) in enumerate(zones):
            for b, (zone_b, areas_b) in enumerate(zones):
                if table is not None:
                    price = table.cheapest_ride_minor(route_id, areas_a, areas_b)
                else:
                    passed = frozenset(z for z in (zone_a, zone_b) if z is not None)
                    ride = FareRide(route_id, zone_a, zone_b, passed, 0)
                    price = fares.cheapest_ride_minor(ride)
                if price is not None:
                    # A discount product may be negative; the search's labels are >= 0.
                    fare_minor[g, a, b] = max(price, 0)
    return route_fare, stop_zone, fare_minor


def _trace_labels(
    kinds: NDArray[np.int64], refs: NDArray[np.int64], net: _Network, label: int, stop: int
) -> tuple[list[tuple[int, int, int, int]], int]:
    """Follow McRAPTOR parents from pool label ``label`` (at ``stop``) back to a seed: the
    steps in travel order and the seed's index."""
    steps: list[tuple[int, int, int, int]] = []
    while True:
        kind = abs(int(kinds[label]))
        if kind == _ACCESS:
            seed = int(refs[label][0])
            break
        r0, r1, r2, r3 = (int(v) for v in refs[label])
        if kind == _WALK:
            steps.append((_WALK, r0, stop, r2))
            stop, label = r0, r1
            continue
        steps.append((_RIDE, r0, r1, r2))
        stop, label = net.board_stop(r0, r1), r3
    steps.reverse()
    return steps, seed


def _walks(seconds: Mapping[str, float], role: str) -> list[StopOption]:
    """Walking times by stop as options (all on foot, free, no vehicle)."""
    options = []
    for stop_id, value in seconds.items():
        if not (isinstance(value, int | float | np.number) and math.isfinite(value) and value >= 0):
            raise TimetableError(
                f"{role} stop {stop_id!r}: {value!r} s; expected finite seconds >= 0"
            )
        options.append(StopOption(stop_id, float(value)))
    return options


def _trace(
    labels: tuple[NDArray[np.int64], ...], net: _Network, k: int, stop: int
) -> list[tuple[int, int, int, int]]:
    """Follow parent labels from (round ``k``, ``stop``) back to a source, in travel order."""
    _, kind, ride_row, ride_board, ride_alight, walk_from, walk_s = labels
    steps: list[tuple[int, int, int, int]] = []
    while True:
        while k > 0 and kind[k, stop] == 0:
            k -= 1  # the label was copied from a round with fewer rides
        label = kind[k, stop]
        if label == _ACCESS:
            break
        if label == _WALK:
            source = int(walk_from[k, stop])
            steps.append((_WALK, source, stop, int(walk_s[k, stop])))
            stop = source
            if k == 0:
                break  # round 0 walks start at a source stop
        # A walk's source keeps its ride in the ride arrays even when a walk beat it there.
        row, board = int(ride_row[k, stop]), int(ride_board[k, stop])
        steps.append((_RIDE, row, board, int(ride_alight[k, stop])))
        stop = net.board_stop(row, board)
        k -= 1
    steps.reverse()
    return steps
