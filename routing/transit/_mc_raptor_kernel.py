"""McRAPTOR rounds as a numba kernel: Pareto bags over arrival, walking time and price.

Round *k* keeps, per stop, the labels first reached with *k* rides that no label with at most
*k* rides beats on arrival, walking seconds and price all at once (the number of rides is the
fourth criterion, given by the round). A ride's price is looked up by its pattern's fare group
and the fare zones where it boards and alights (``fare_minor[group, board zone, alight
zone]``, summed over rides; a pattern of group -1 costs 0, a ride no fare covers costs
:data:`UNKNOWN_FARE_MINOR` so a known price is preferred while a faster unknown one survives);
fare transfers are priced exactly afterwards (:mod:`routing.transit.fares`), the sum is only
the search's criterion. Labels live in one growing pool, linked per (round, stop)
from ``head``, so memory follows the labels found, not stops x rounds x a bag size; a label
never moves once written, so parents are plain pool indices, and a label beaten later in its
own round is only flagged dead (negative kind).

Per label: arrival, walking seconds, price, kind (:data:`_ACCESS`, :data:`_RIDE`, :data:`_WALK`) and
four references: a ride's trip row, board and alight positions and its boarding label; a
walk's source stop, the ride label it leaves from and its seconds.
"""

from __future__ import annotations

import numba
import numpy as np

from routing.transit._raptor_kernel import _ACCESS, _RIDE, _WALK

#: The search's price of a ride no fare covers: above any real ticket, so that it loses on
#: price alone, never shown to anybody (the journey's price is then unknown).
UNKNOWN_FARE_MINOR = 1_000_000_000


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
def _beaten(head, nxt, p_t, p_w, p_c, p_kind, k, s, t, w, c, dest_t, dest_w, dest_c, n_dest):  # type: ignore[no-untyped-def]
    """Whether (t, w, c) at stop ``s`` is matched by a label of rounds <= k or a destination."""
    for j in range(k + 1):
        i = head[j, s]
        while i >= 0:
            if p_kind[i] > 0 and p_t[i] <= t and p_w[i] <= w and p_c[i] <= c:
                return True
            i = nxt[i]
    for d in range(n_dest):  # noqa: SIM110 - numba compiles loops, not generators
        if dest_t[d] <= t and dest_w[d] <= w and dest_c[d] <= c:
            return True
    return False


@numba.njit(cache=True)
def _retire(head, nxt, p_t, p_w, p_c, p_kind, k, s, t, w, c):  # type: ignore[no-untyped-def]
    """Flag dead the labels of round ``k`` at ``s`` that (t, w, c) beats or equals."""
    j = head[k, s]
    while j >= 0:
        if p_kind[j] > 0 and p_t[j] >= t and p_w[j] >= w and p_c[j] >= c:
            p_kind[j] = -p_kind[j]
        j = nxt[j]


@numba.njit(cache=True)
def _grow(p_t, p_w, p_c, p_kind, p_ref, nxt):  # type: ignore[no-untyped-def]
    n = len(p_t)
    t2 = np.empty(2 * n, np.int64)
    w2 = np.empty(2 * n, np.int64)
    c2 = np.empty(2 * n, np.int64)
    k2 = np.empty(2 * n, np.int64)
    r2 = np.empty((2 * n, 4), np.int64)
    n2 = np.empty(2 * n, np.int64)
    t2[:n] = p_t
    w2[:n] = p_w
    c2[:n] = p_c
    k2[:n] = p_kind
    r2[:n] = p_ref
    n2[:n] = nxt
    return t2, w2, c2, k2, r2, n2


@numba.njit(cache=True)
def _mc_raptor(  # type: ignore[no-untyped-def]
    network,
    seeds,
    seed_s,
    target_by_stop,
    start_s,
    bound_s,
    n_rounds,
    slack_s,
    pattern_fare,
    stop_zone,
    fare_minor,
):
    """McRAPTOR from ``seeds`` (reached at ``start_s + seed_s`` after ``seed_s`` walking).

    ``pattern_fare`` gives each pattern's fare group (-1: free to the search), ``stop_zone``
    each stop's fare zone index and ``fare_minor`` the price of a ride per group, boarding
    zone and alighting zone. Returns the label pool (arrival, walking, kind, references), the
    destination set (arrival, walking, price, round, label, stop; egress included) and the
    rounds run.
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
    n_stops = len(stop_pattern_start) - 1
    n_patterns = len(pattern_stop_start) - 1
    head = np.full((n_rounds + 1, n_stops), -1, np.int64)
    size = 1024
    p_t = np.empty(size, np.int64)
    p_w = np.empty(size, np.int64)
    p_c = np.empty(size, np.int64)
    p_kind = np.empty(size, np.int64)
    p_ref = np.empty((size, 4), np.int64)
    nxt = np.empty(size, np.int64)
    n_pool = 0
    dest_t = np.empty(256, np.int64)
    dest_w = np.empty(256, np.int64)
    dest_c = np.empty(256, np.int64)
    dest_k = np.empty(256, np.int64)
    dest_label = np.empty(256, np.int64)
    dest_stop = np.empty(256, np.int64)
    n_dest = 0
    marked = np.zeros(n_stops, np.bool_)
    by_ride = np.zeros(n_stops, np.bool_)
    first_position = np.full(n_patterns, -1, np.int64)
    queue = np.empty(n_patterns, np.int64)
    rb_cap = 64
    rb_row = np.empty(rb_cap, np.int64)
    rb_board = np.empty(rb_cap, np.int64)
    rb_w = np.empty(rb_cap, np.int64)
    rb_c = np.empty(rb_cap, np.int64)
    rb_zone = np.empty(rb_cap, np.int64)
    rb_parent = np.empty(rb_cap, np.int64)
    for i in range(len(seeds)):
        s = seeds[i]
        t = start_s + seed_s[i]
        if _beaten(
            head, nxt, p_t, p_w, p_c, p_kind, 0, s, t, seed_s[i], 0, dest_t, dest_w, dest_c, 0
        ):
            continue
        if n_pool == len(p_t):
            p_t, p_w, p_c, p_kind, p_ref, nxt = _grow(p_t, p_w, p_c, p_kind, p_ref, nxt)
        _retire(head, nxt, p_t, p_w, p_c, p_kind, 0, s, t, seed_s[i], 0)
        p_t[n_pool], p_w[n_pool], p_c[n_pool], p_kind[n_pool] = t, seed_s[i], 0, _ACCESS
        p_ref[n_pool, 0] = p_ref[n_pool, 1] = p_ref[n_pool, 2] = p_ref[n_pool, 3] = -1
        nxt[n_pool] = head[0, s]
        head[0, s] = n_pool
        n_pool += 1
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
            b = head[k, s]
            while b >= 0:
                kind = p_kind[b]
                if kind == _RIDE or kind == _ACCESS:  # noqa: SIM109 - plain for numba
                    for e in range(transfer_start[s], transfer_start[s + 1]):
                        to = transfer_to[e]
                        t = p_t[b] + transfer_s[e]
                        w = p_w[b] + transfer_s[e]
                        c = p_c[b]
                        if t > bound_s or _beaten(
                            head,
                            nxt,
                            p_t,
                            p_w,
                            p_c,
                            p_kind,
                            k,
                            to,
                            t,
                            w,
                            c,
                            dest_t,
                            dest_w,
                            dest_c,
                            n_dest,
                        ):
                            continue
                        if n_pool == len(p_t):
                            p_t, p_w, p_c, p_kind, p_ref, nxt = _grow(
                                p_t, p_w, p_c, p_kind, p_ref, nxt
                            )
                        _retire(head, nxt, p_t, p_w, p_c, p_kind, k, to, t, w, c)
                        p_t[n_pool], p_w[n_pool], p_c[n_pool], p_kind[n_pool] = t, w, c, _WALK
                        p_ref[n_pool, 0] = s
                        p_ref[n_pool, 1] = b
                        p_ref[n_pool, 2] = transfer_s[e]
                        p_ref[n_pool, 3] = -1
                        nxt[n_pool] = head[k, to]
                        head[k, to] = n_pool
                        n_pool += 1
                        marked[to] = True
                b = nxt[b]
        # This round's labels at targets join the destination set.
        for s in range(n_stops):
            if target_by_stop[s] < 0:
                continue
            b = head[k, s]
            while b >= 0:
                t = p_t[b] + target_by_stop[s]
                w = p_w[b] + target_by_stop[s]
                c = p_c[b]
                beaten = p_kind[b] <= 0 or t > bound_s
                for d in range(n_dest):
                    if beaten:
                        break
                    beaten = dest_t[d] <= t and dest_w[d] <= w and dest_c[d] <= c
                if not beaten:
                    if n_dest == len(dest_t):
                        dest_t = np.concatenate((dest_t, np.empty(n_dest, np.int64)))
                        dest_w = np.concatenate((dest_w, np.empty(n_dest, np.int64)))
                        dest_c = np.concatenate((dest_c, np.empty(n_dest, np.int64)))
                        dest_k = np.concatenate((dest_k, np.empty(n_dest, np.int64)))
                        dest_label = np.concatenate((dest_label, np.empty(n_dest, np.int64)))
                        dest_stop = np.concatenate((dest_stop, np.empty(n_dest, np.int64)))
                    dest_t[n_dest], dest_w[n_dest], dest_c[n_dest] = t, w, c
                    dest_k[n_dest], dest_label[n_dest], dest_stop[n_dest] = k, b, s
                    n_dest += 1
                b = nxt[b]
        n_run = k
        k += 1
        if k > n_rounds:
            break
        # Patterns through stops marked last round, from their earliest marked position.
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
        if n_queued == 0:
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
            group = pattern_fare[p]
            n_rb = 0
            for position in range(start, n_positions):
                s = pattern_stops[stop_base + position]
                if n_rb > 0 and can_alight[stop_base + position]:
                    for r in range(n_rb):
                        t = arrival_s[base + (rb_row[r] - first_row) * n_positions + position]
                        w = rb_w[r]
                        c = rb_c[r]
                        if group >= 0:
                            c += fare_minor[group, rb_zone[r], stop_zone[s]]
                        if t > bound_s or _beaten(
                            head,
                            nxt,
                            p_t,
                            p_w,
                            p_c,
                            p_kind,
                            k,
                            s,
                            t,
                            w,
                            c,
                            dest_t,
                            dest_w,
                            dest_c,
                            n_dest,
                        ):
                            continue
                        if n_pool == len(p_t):
                            p_t, p_w, p_c, p_kind, p_ref, nxt = _grow(
                                p_t, p_w, p_c, p_kind, p_ref, nxt
                            )
                        _retire(head, nxt, p_t, p_w, p_c, p_kind, k, s, t, w, c)
                        p_t[n_pool], p_w[n_pool], p_c[n_pool], p_kind[n_pool] = t, w, c, _RIDE
                        p_ref[n_pool, 0] = rb_row[r]
                        p_ref[n_pool, 1] = rb_board[r]
                        p_ref[n_pool, 2] = position
                        p_ref[n_pool, 3] = rb_parent[r]
                        nxt[n_pool] = head[k, s]
                        head[k, s] = n_pool
                        n_pool += 1
                        marked[s] = True
                        by_ride[s] = True
                if position == n_positions - 1 or not can_board[stop_base + position]:
                    continue
                b = head[k - 1, s]
                while b >= 0:
                    if p_kind[b] > 0:
                        ready = p_t[b] + board_slack_s
                        row = _first_catchable(
                            departure_s, base, n_positions, first_row, end_row, position, ready
                        )
                        w = p_w[b]
                        c = p_c[b]
                        zone = stop_zone[s]
                        beaten = row >= end_row
                        for r in range(n_rb):
                            if beaten:
                                break
                            # Boarded in another fare zone, the ride may cost another price.
                            beaten = (
                                rb_row[r] <= row
                                and rb_w[r] <= w
                                and rb_c[r] <= c
                                and (group < 0 or rb_zone[r] == zone)
                            )
                        if not beaten:
                            kept = 0
                            for r in range(n_rb):
                                if not (
                                    rb_row[r] >= row
                                    and rb_w[r] >= w
                                    and rb_c[r] >= c
                                    and (group < 0 or rb_zone[r] == zone)
                                ):
                                    rb_row[kept] = rb_row[r]
                                    rb_board[kept] = rb_board[r]
                                    rb_w[kept] = rb_w[r]
                                    rb_c[kept] = rb_c[r]
                                    rb_zone[kept] = rb_zone[r]
                                    rb_parent[kept] = rb_parent[r]
                                    kept += 1
                            n_rb = kept
                            if n_rb == rb_cap:
                                rb_cap *= 2
                                rb_row = np.concatenate((rb_row, np.empty(n_rb, np.int64)))
                                rb_board = np.concatenate((rb_board, np.empty(n_rb, np.int64)))
                                rb_w = np.concatenate((rb_w, np.empty(n_rb, np.int64)))
                                rb_c = np.concatenate((rb_c, np.empty(n_rb, np.int64)))
                                rb_zone = np.concatenate((rb_zone, np.empty(n_rb, np.int64)))
                                rb_parent = np.concatenate((rb_parent, np.empty(n_rb, np.int64)))
                            rb_row[n_rb] = row
                            rb_board[n_rb] = position
                            rb_w[n_rb] = w
                            rb_c[n_rb] = c
                            rb_zone[n_rb] = zone
                            rb_parent[n_rb] = b
                            n_rb += 1
                    b = nxt[b]
    return (
        p_t[:n_pool],
        p_w[:n_pool],
        p_kind[:n_pool],
        p_ref[:n_pool],
        dest_t[:n_dest],
        dest_w[:n_dest],
        dest_c[:n_dest],
        dest_k[:n_dest],
        dest_label[:n_dest],
        dest_stop[:n_dest],
        n_run,
    )
