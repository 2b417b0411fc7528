"""RAPTOR rounds as a numba kernel over the flat arrays of a :class:`~.raptor.RaptorIndex`.

The kernel returns, per round and stop, the earliest arrival and the label that explains it
(``kind``: :data:`_ACCESS`, :data:`_RIDE` or :data:`_WALK`, 0 for "same as the previous round")
with the ride or walk that produced it. Trips of one pattern may differ in where they board and
alight (a live trip skipping a stop keeps its pattern): a pattern is scanned riding the first
catchable trip of each alighting class (:mod:`._mc_raptor_kernel` says what a class is);
:mod:`routing.transit.raptor` traces journeys from those labels.
"""

from __future__ import annotations

import numba
import numpy as np

_ACCESS, _RIDE, _WALK = 1, 2, 3  # label kinds; 0 means "same as the previous round"


@numba.njit(cache=True)
def _earliest_trip(departure_s, base, n_positions, first_row, end_row, position, ready_s):  # type: ignore[no-untyped-def]
    """The first row in [first_row, end_row) departing ``position`` at or after ``ready_s``."""
    lo, hi = first_row, end_row
    while lo < hi:
        mid = (lo + hi) // 2
        if departure_s[base + (mid - first_row) * n_positions + position] >= ready_s:
            hi = mid
        else:
            lo = mid + 1
    return lo


@numba.njit(cache=True)
def _raptor(network, seeds, seed_s, target_by_stop, start_s, bound_s, n_rounds, slack_s):  # type: ignore[no-untyped-def]
    """RAPTOR rounds from ``seeds`` (stops reached at ``start_s + seed_s``) until ``bound_s``.

    Returns per round and stop the best arrival with at most that many rides and its parent
    label (kind 0 copied from the previous round, 1 seed, 2 ride, 3 walk), trimmed to the
    rounds that ran.
    """
    (
        pattern_stop_start,
        pattern_stops,
        pattern_trip_start,
        time_start,
        arrival_s,
        departure_s,
        stop_pattern_start,
        stop_patterns,
        stop_positions,
        transfer_start,
        transfer_to,
        transfer_s,
        can_board,
        can_alight,
        any_board,
        any_alight,
        trip_class,
        pattern_classes,
    ) = network
    inf = np.iinfo(np.int64).max // 4
    n_stops = len(stop_pattern_start) - 1
    n_patterns = len(pattern_stop_start) - 1
    shape = (n_rounds + 1, n_stops)
    arrival = np.full(shape, inf, np.int64)  # best with at most k rides
    kind = np.zeros(shape, np.int64)
    ride_row = np.full(shape, -1, np.int64)
    ride_board = np.full(shape, -1, np.int64)
    ride_alight = np.full(shape, -1, np.int64)
    walk_from = np.full(shape, -1, np.int64)
    walk_s = np.zeros(shape, np.int64)
    ride_arrival = np.full(n_stops, inf, np.int64)  # this round's arrival by vehicle
    ride_best = np.full(n_stops, inf, np.int64)  # best arrival by vehicle in any round
    marked = np.zeros(n_stops, np.bool_)
    by_ride = np.zeros(n_stops, np.bool_)
    first_position = np.full(n_patterns, -1, np.int64)
    queue = np.empty(n_patterns, np.int64)
    # The trip ridden per alighting class of the pattern being scanned (-1: none yet).
    max_classes = 1
    for p in range(n_patterns):
        max_classes = max(max_classes, pattern_classes[p])
    class_row = np.full(max_classes, -1, np.int64)
    class_board = np.full(max_classes, -1, np.int64)

    for i in range(len(seeds)):
        s = seeds[i]
        arrival[0, s] = start_s + seed_s[i]
        kind[0, s] = _ACCESS
        marked[s] = True
    # Footpaths from the seeds' own times, so a walk never starts from another walk.
    for i in range(len(seeds)):
        s = seeds[i]
        for e in range(transfer_start[s], transfer_start[s + 1]):
            t = start_s + seed_s[i] + transfer_s[e]
            to = transfer_to[e]
            if t < arrival[0, to]:
                arrival[0, to] = t
                kind[0, to] = _WALK
                walk_from[0, to] = s
                walk_s[0, to] = transfer_s[e]
                marked[to] = True

    # Labels at or after the bound, or after the round-0 walk through a stop, cannot help.
    best_target = bound_s + 1
    for s in range(n_stops):
        if target_by_stop[s] >= 0 and arrival[0, s] < inf:
            best_target = min(best_target, arrival[0, s] + target_by_stop[s])
    for k in range(1, n_rounds + 1):
        arrival[k, :] = arrival[k - 1, :]
        n_queued = 0
        for s in range(n_stops):
            if not marked[s]:
                continue
            marked[s] = False
            for e in range(stop_pattern_start[s], stop_pattern_start[s + 1]):
                p = stop_patterns[e]
                position = stop_positions[e]
                if first_position[p] < 0:
                    queue[n_queued] = p
                    n_queued += 1
                    first_position[p] = position
                elif position < first_position[p]:
                    first_position[p] = position
        # Boarding in round 1 needs no slack: nobody is changing vehicles yet.
        board_slack_s = slack_s if k >= 2 else 0
        for q in range(n_queued):
            p = queue[q]
            start = first_position[p]
            first_position[p] = -1
            stop_base = pattern_stop_start[p]
            n_positions = pattern_stop_start[p + 1] - stop_base
            first_row = pattern_trip_start[p]
            end_row = pattern_trip_start[p + 1]
            base = time_start[p]
            n_classes = pattern_classes[p]
            class_row[:n_classes] = -1
            for position in range(start, n_positions):
                s = pattern_stops[stop_base + position]
                if any_alight[stop_base + position]:
                    for c in range(n_classes):
                        row = class_row[c]
                        if row < 0:
                            continue
                        cell = base + (row - first_row) * n_positions + position
                        if not can_alight[cell]:
                            continue
                        t = arrival_s[cell]
                        # A ride label may walk on, a walk label may not: a ride keeps its
                        # own label for footpaths even when a walk got there first.
                        if t < ride_best[s] and t < best_target:
                            ride_best[s] = t
                            ride_arrival[s] = t
                            ride_row[k, s] = row
                            ride_board[k, s] = class_board[c]
                            ride_alight[k, s] = position
                            by_ride[s] = True
                            if t < arrival[k, s]:
                                arrival[k, s] = t
                                kind[k, s] = _RIDE
                                marked[s] = True
                previous = arrival[k - 1, s]
                if (
                    previous >= inf
                    or position == n_positions - 1
                    or not any_board[stop_base + position]
                ):
                    continue
                ready = previous + board_slack_s
                # The class-0 trip ridden is bettered only by an earlier catchable trip.
                c0 = class_row[0]
                if c0 >= 0 and (
                    c0 == first_row
                    or departure_s[base + (c0 - 1 - first_row) * n_positions + position] < ready
                ):
                    continue
                row = _earliest_trip(
                    departure_s, base, n_positions, first_row, end_row, position, ready
                )
                # The first catchable trip of each class that boards here, up to the first
                # of class 0 (it alights wherever a later trip would, and earlier).
                while row < end_row:
                    if can_board[base + (row - first_row) * n_positions + position]:
                        c = trip_class[row]
                        if class_row[c] < 0 or row < class_row[c]:
                            class_row[c] = row
                            class_board[c] = position
                        if c == 0:
                            break
                    row += 1
        for s in range(n_stops):
            if not by_ride[s]:
                continue
            by_ride[s] = False
            for e in range(transfer_start[s], transfer_start[s + 1]):
                t = ride_arrival[s] + transfer_s[e]
                to = transfer_to[e]
                if t < arrival[k, to] and t < best_target:
                    arrival[k, to] = t
                    kind[k, to] = _WALK
                    walk_from[k, to] = s
                    walk_s[k, to] = transfer_s[e]
                    marked[to] = True
            ride_arrival[s] = inf
        any_marked = False
        for s in range(n_stops):
            if target_by_stop[s] >= 0 and arrival[k, s] < inf:
                best_target = min(best_target, arrival[k, s] + target_by_stop[s])
            any_marked = any_marked or marked[s]
        if not any_marked:
            n_rounds = k
            break
    rounds = n_rounds + 1
    return (
        arrival[:rounds],
        kind[:rounds],
        ride_row[:rounds],
        ride_board[:rounds],
        ride_alight[:rounds],
        walk_from[:rounds],
        walk_s[:rounds],
    )
