"""McRAPTOR rounds as a numba kernel: Pareto bags over arrival time and walking time.

Round *k* keeps, per stop, the labels first reached with *k* rides that no label with at most
*k* rides beats on both arrival and walking seconds (the number of rides is the third
criterion, given by the round). A label never moves once written, so parents are plain
indices; a label beaten later in its own round is only flagged dead. Labels are written to
fixed bags of ``capacity`` slots per round and stop; a full bag drops the newcomer (the
result counts such drops, so a caller can tell the set may be incomplete).

Labels per (round, stop, slot): arrival, walking seconds, kind (:data:`_ACCESS`,
:data:`_RIDE`, :data:`_WALK`; 0 empty, negative when dead) and three references: a ride's
trip row, board and alight positions and the slot of its boarding label one round earlier;
a walk's source stop, the slot of the ride label it leaves from (same round) and its seconds.
"""

from __future__ import annotations

import numba
import numpy as np

from routing.transit._raptor_kernel import _ACCESS, _RIDE, _WALK


@numba.njit(cache=True)
def _first_catchable(departure_s, base, n_positions, first_row, end_row, position, ready_s):  # type: ignore[no-untyped-def]
    lo, hi = first_row, end_row
    while lo < hi:
        mid = (lo + hi) // 2
        if departure_s[base + (mid - first_row) * n_positions + position] >= ready_s:
            hi = mid
        else:
            lo = mid + 1
    return lo


@numba.njit(cache=True)
def _beaten(lab_t, lab_w, lab_kind, count, k, s, t, w, dest_t, dest_w, n_dest):  # type: ignore[no-untyped-def]
    """Whether (t, w) at stop ``s`` is matched by a label of rounds <= k or a destination."""
    for j in range(k + 1):
        for b in range(count[j, s]):
            if lab_kind[j, s, b] > 0 and lab_t[j, s, b] <= t and lab_w[j, s, b] <= w:
                return True
    for d in range(n_dest):  # noqa: SIM110 - numba compiles loops, not generators
        if dest_t[d] <= t and dest_w[d] <= w:
            return True
    return False


@numba.njit(cache=True)
def _write(lab_t, lab_w, lab_kind, lab_ref, count, k, s, t, w, kind, r0, r1, r2, r3):  # type: ignore[no-untyped-def]
    """Write a label the caller found unbeaten; flag the round's labels it beats. -1: full."""
    n = count[k, s]
    if n >= lab_t.shape[2]:
        return -1
    for b in range(n):
        if lab_kind[k, s, b] > 0 and lab_t[k, s, b] >= t and lab_w[k, s, b] >= w:
            lab_kind[k, s, b] = -lab_kind[k, s, b]
    lab_t[k, s, n] = t
    lab_w[k, s, n] = w
    lab_kind[k, s, n] = kind
    lab_ref[k, s, n, 0] = r0
    lab_ref[k, s, n, 1] = r1
    lab_ref[k, s, n, 2] = r2
    lab_ref[k, s, n, 3] = r3
    count[k, s] = n + 1
    return n


@numba.njit(cache=True)
def _mc_raptor(  # type: ignore[no-untyped-def]
    network, seeds, seed_s, target_by_stop, start_s, bound_s, n_rounds, slack_s, capacity
):
    """McRAPTOR from ``seeds`` (reached at ``start_s + seed_s`` after ``seed_s`` walking).

    Returns the label arrays, trimmed to the rounds that ran, the destination set (arrival,
    walking, round, stop, slot; egress included) and how many labels full bags dropped.
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
    ) = network
    inf = np.iinfo(np.int64).max // 4
    n_stops = len(stop_pattern_start) - 1
    n_patterns = len(pattern_stop_start) - 1
    shape = (n_rounds + 1, n_stops, capacity)
    lab_t = np.full(shape, inf, np.int64)
    lab_w = np.zeros(shape, np.int64)
    lab_kind = np.zeros(shape, np.int64)
    lab_ref = np.full((n_rounds + 1, n_stops, capacity, 4), -1, np.int64)
    count = np.zeros((n_rounds + 1, n_stops), np.int64)
    max_dest = 64 * capacity
    dest_t = np.zeros(max_dest, np.int64)
    dest_w = np.zeros(max_dest, np.int64)
    dest_k = np.zeros(max_dest, np.int64)
    dest_s = np.zeros(max_dest, np.int64)
    dest_b = np.zeros(max_dest, np.int64)
    n_dest = 0
    dropped = 0
    marked = np.zeros(n_stops, np.bool_)
    by_ride = np.zeros(n_stops, np.bool_)
    first_position = np.full(n_patterns, -1, np.int64)
    queue = np.empty(n_patterns, np.int64)
    rb_row = np.empty(capacity, np.int64)
    rb_board = np.empty(capacity, np.int64)
    rb_w = np.empty(capacity, np.int64)
    rb_parent = np.empty(capacity, np.int64)

    for i in range(len(seeds)):
        s = seeds[i]
        t = start_s + seed_s[i]
        if not _beaten(lab_t, lab_w, lab_kind, count, 0, s, t, seed_s[i], dest_t, dest_w, 0):
            _write(
                lab_t, lab_w, lab_kind, lab_ref, count, 0, s, t, seed_s[i], _ACCESS, -1, -1, -1, -1
            )
            marked[s] = True
            by_ride[s] = True  # a seed may walk on, like a ride
    k = 0
    n_run = 0
    while True:
        # Footpaths from this round's rides (from the seeds in round 0).
        for s in range(n_stops):
            if not by_ride[s]:
                continue
            by_ride[s] = False
            n = count[k, s]
            for b in range(n):
                kind = lab_kind[k, s, b]
                if kind != _RIDE and kind != _ACCESS:
                    continue
                for e in range(transfer_start[s], transfer_start[s + 1]):
                    to = transfer_to[e]
                    t = lab_t[k, s, b] + transfer_s[e]
                    w = lab_w[k, s, b] + transfer_s[e]
                    if t > bound_s or _beaten(
                        lab_t, lab_w, lab_kind, count, k, to, t, w, dest_t, dest_w, n_dest
                    ):
                        continue
                    slot = _write(
                        lab_t,
                        lab_w,
                        lab_kind,
                        lab_ref,
                        count,
                        k,
                        to,
                        t,
                        w,
                        _WALK,
                        s,
                        b,
                        transfer_s[e],
                        -1,
                    )
                    if slot < 0:
                        dropped += 1
                    else:
                        marked[to] = True
        # This round's labels at targets join the destination set.
        for s in range(n_stops):
            if target_by_stop[s] < 0:
                continue
            for b in range(count[k, s]):
                if lab_kind[k, s, b] <= 0:
                    continue
                t = lab_t[k, s, b] + target_by_stop[s]
                w = lab_w[k, s, b] + target_by_stop[s]
                if t > bound_s:
                    continue
                beaten = False
                for d in range(n_dest):
                    if dest_t[d] <= t and dest_w[d] <= w:
                        beaten = True
                        break
                if beaten:
                    continue
                if n_dest >= max_dest:
                    dropped += 1
                    continue
                dest_t[n_dest] = t
                dest_w[n_dest] = w
                dest_k[n_dest] = k
                dest_s[n_dest] = s
                dest_b[n_dest] = b
                n_dest += 1
        n_run = k
        k += 1
        if k > n_rounds:
            break
        # Patterns through stops marked last round, from their earliest marked position.
        n_queued = 0
        any_marked = False
        for s in range(n_stops):
            if not marked[s]:
                continue
            any_marked = True
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
        if not any_marked:
            break
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
            n_rb = 0
            for position in range(start, n_positions):
                s = pattern_stops[stop_base + position]
                if n_rb > 0 and can_alight[stop_base + position]:
                    for r in range(n_rb):
                        t = arrival_s[base + (rb_row[r] - first_row) * n_positions + position]
                        w = rb_w[r]
                        if t > bound_s or _beaten(
                            lab_t, lab_w, lab_kind, count, k, s, t, w, dest_t, dest_w, n_dest
                        ):
                            continue
                        slot = _write(
                            lab_t,
                            lab_w,
                            lab_kind,
                            lab_ref,
                            count,
                            k,
                            s,
                            t,
                            w,
                            _RIDE,
                            rb_row[r],
                            rb_board[r],
                            position,
                            rb_parent[r],
                        )
                        if slot < 0:
                            dropped += 1
                        else:
                            marked[s] = True
                            by_ride[s] = True
                if position == n_positions - 1 or not can_board[stop_base + position]:
                    continue
                for b in range(count[k - 1, s]):
                    if lab_kind[k - 1, s, b] <= 0:
                        continue
                    ready = lab_t[k - 1, s, b] + board_slack_s
                    row = _first_catchable(
                        departure_s, base, n_positions, first_row, end_row, position, ready
                    )
                    if row >= end_row:
                        continue
                    w = lab_w[k - 1, s, b]
                    beaten = False
                    for r in range(n_rb):
                        if rb_row[r] <= row and rb_w[r] <= w:
                            beaten = True
                            break
                    if beaten:
                        continue
                    kept = 0
                    for r in range(n_rb):
                        if not (rb_row[r] >= row and rb_w[r] >= w):
                            rb_row[kept] = rb_row[r]
                            rb_board[kept] = rb_board[r]
                            rb_w[kept] = rb_w[r]
                            rb_parent[kept] = rb_parent[r]
                            kept += 1
                    n_rb = kept
                    if n_rb >= capacity:
                        dropped += 1
                        continue
                    rb_row[n_rb] = row
                    rb_board[n_rb] = position
                    rb_w[n_rb] = w
                    rb_parent[n_rb] = b
                    n_rb += 1
    rounds = n_run + 1
    return (
        lab_t[:rounds],
        lab_w[:rounds],
        lab_kind[:rounds],
        lab_ref[:rounds],
        dest_t[:n_dest],
        dest_w[:n_dest],
        dest_k[:n_dest],
        dest_s[:n_dest],
        dest_b[:n_dest],
        dropped,
    )
