"""McRAPTOR rounds as a numba kernel: Pareto bags over arrival, walking, price and vehicles.

Round *k* keeps, per stop, the labels first reached with *k* rides that no label with at most
*k* rides beats on arrival, walking seconds and price while needing no private vehicle more
(the number of rides is one more criterion, given by the round). Vehicles come from the seeds
and the targets: an access or egress option may be a shared bike's ride (priced) or one's own
bike or car (a vehicle bit), and such an option must never hide a plain walk to the same stop.
The price is the seed's and the target's plus each ride's fare, looked up by its pattern's
fare group and the fare zones where it boards and alights (``fare_minor[group, board zone,
alight zone]``; a pattern of group -1 costs 0, a ride no fare covers costs
:data:`UNKNOWN_FARE_MINOR` so a known price is preferred while a faster unknown one survives);
fare transfers are priced exactly afterwards (:mod:`routing.transit.fares`), the sum is only
the search's criterion. Labels live in one growing pool, linked per (round, stop) from
``head``, so memory follows the labels found, not stops x rounds x a bag size; a label never
moves once written, so parents are plain pool indices, and a label beaten later in its own
round is only flagged dead (negative kind).

Trips of one pattern may differ in where they board and alight (a live trip skipping a stop
keeps its pattern): ``can_board``/``can_alight`` are per trip and position, and each trip has
an alighting class, 0 when it alights wherever any trip of its pattern does. A trip ridden
from the route bag beats a later one only if it is of class 0 or of the later one's class;
boarding looks past the first catchable trip to the first of each class, up to one of class 0.

Per label: arrival, walking seconds, price, vehicle bits, kind (:data:`_ACCESS`,
:data:`_RIDE`, :data:`_WALK`) and four references: a seed's index; a ride's trip row, board
and alight positions and its boarding label; a walk's source stop, the ride label it leaves
from and its seconds.
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
def _covers(t1, w1, c1, v1, t2, w2, c2, v2):  # type: ignore[no-untyped-def]
    """Whether (t1, w1, c1, v1) is at least as good as (t2, ...): no later, no more walking,
    no dearer, and no private vehicle the other does without."""
    return t1 <= t2 and w1 <= w2 and c1 <= c2 and (v1 & ~v2) == 0


@numba.njit(cache=True)
def _beaten(lab, head, k, s, t, w, c, v, dest, n_dest):  # type: ignore[no-untyped-def]
    """Whether (t, w, c, v) at stop ``s`` is matched by a label of rounds <= k or a
    destination."""
    p_t, p_w, p_c, p_v, p_kind, nxt = lab
    for j in range(k + 1):
        i = head[j, s]
        while i >= 0:
            if p_kind[i] > 0 and _covers(p_t[i], p_w[i], p_c[i], p_v[i], t, w, c, v):
                return True
            i = nxt[i]
    dest_t, dest_w, dest_c, dest_v = dest[0], dest[1], dest[2], dest[3]
    for d in range(n_dest):
        if _covers(dest_t[d], dest_w[d], dest_c[d], dest_v[d], t, w, c, v):
            return True
    return False


@numba.njit(cache=True)
def _grow(lab, p_ref):  # type: ignore[no-untyped-def]
    n = len(p_ref)
    grown = []
    for a in lab:
        b = np.empty(2 * n, np.int64)
        b[:n] = a
        grown.append(b)
    r2 = np.empty((2 * n, 4), np.int64)
    r2[:n] = p_ref
    return (grown[0], grown[1], grown[2], grown[3], grown[4], grown[5]), r2


@numba.njit(cache=True)
def _kill_covered(lab, first, t, w, c, v):  # type: ignore[no-untyped-def]
    """Flag dead the live labels of one bag (from pool index ``first``) the new one covers."""
    p_t, p_w, p_c, p_v, p_kind, nxt = lab
    j = first
    while j >= 0:
        if p_kind[j] > 0 and _covers(t, w, c, v, p_t[j], p_w[j], p_c[j], p_v[j]):
            p_kind[j] = -p_kind[j]
        j = nxt[j]


@numba.njit(cache=True)
def _grow_dest(dest, dest_ref):  # type: ignore[no-untyped-def]
    n = len(dest_ref)
    grown = []
    for a in dest:
        b = np.empty(2 * n, np.int64)
        b[:n] = a
        grown.append(b)
    r2 = np.empty((2 * n, 4), np.int64)
    r2[:n] = dest_ref
    return (grown[0], grown[1], grown[2], grown[3]), r2


@numba.njit(cache=True)
def _mc_raptor(  # type: ignore[no-untyped-def]
    network,
    seeds,
    targets,
    start_s,
    bound_s,
    n_rounds,
    slack_s,
    pattern_fare,
    stop_zone,
    fare_minor,
    slower_ratio,
    slower_min_s,
):
    """McRAPTOR from ``seeds`` to ``targets``.

    ``seeds`` are arrays (stop, seconds to reach it, walking seconds, price, vehicle bits),
    one entry per access option (several per stop allowed); a seed's label arrives at
    ``start_s + seconds``. ``targets`` are (CSR start per stop, seconds, walking seconds,
    price, vehicle bits) of the egress options from each stop. ``pattern_fare`` gives each
    pattern's fare group (-1: free to the search), ``stop_zone`` each stop's fare zone index
    and ``fare_minor`` the price of a ride per group, boarding zone and alighting zone; a
    label's price is its seed's plus its rides' fares (plus its target's at the destination).

    Labels arriving after ``bound_s`` are dropped, and once a journey with a ride reaches the
    destination at ``best``, so are those arriving after ``best + max(slower_min_s,
    slower_ratio * (best - start_s))``: a Pareto option much slower than the fastest is not
    worth its search (on a regional network, most labels are such slow, less-walking ones).

    Returns the label pool (arrival, walking, price, vehicles, kind, references), the
    destination set (arrival, walking, price, vehicles; and round, label, stop, egress option;
    egress included) and the rounds run.
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
        _pattern_classes,
    ) = network
    seed_stop, seed_t, seed_w, seed_c, seed_v = seeds
    target_start, target_t, target_w, target_c, target_v = targets
    n_stops = len(stop_pattern_start) - 1
    n_patterns = len(pattern_stop_start) - 1
    limit_s = bound_s
    head = np.full((n_rounds + 1, n_stops), -1, np.int64)
    size = 1024
    # p_t, p_w, p_c, p_v, p_kind, nxt
    lab = (
        np.empty(size, np.int64),
        np.empty(size, np.int64),
        np.empty(size, np.int64),
        np.empty(size, np.int64),
        np.empty(size, np.int64),
        np.empty(size, np.int64),
    )
    p_ref = np.empty((size, 4), np.int64)
    n_pool = 0
    # dest_t, dest_w, dest_c, dest_v; dest_ref: round, label, stop, egress option
    dest = (
        np.empty(256, np.int64),
        np.empty(256, np.int64),
        np.empty(256, np.int64),
        np.empty(256, np.int64),
    )
    dest_ref = np.empty((256, 4), np.int64)
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
    rb_v = np.empty(rb_cap, np.int64)
    rb_zone = np.empty(rb_cap, np.int64)
    rb_parent = np.empty(rb_cap, np.int64)
    rb_class = np.empty(rb_cap, np.int64)
    for i in range(len(seed_stop)):
        s = seed_stop[i]
        t, w, c, v = start_s + seed_t[i], seed_w[i], seed_c[i], seed_v[i]
        if t > limit_s or _beaten(lab, head, 0, s, t, w, c, v, dest, 0):
            continue
        if n_pool == len(p_ref):
            lab, p_ref = _grow(lab, p_ref)
        _kill_covered(lab, head[0, s], t, w, c, v)
        lab[0][n_pool], lab[1][n_pool], lab[2][n_pool], lab[3][n_pool] = t, w, c, v
        lab[4][n_pool] = _ACCESS
        p_ref[n_pool, 0] = i
        p_ref[n_pool, 1] = p_ref[n_pool, 2] = p_ref[n_pool, 3] = -1
        lab[5][n_pool] = head[0, s]
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
                kind = lab[4][b]
                if kind == _RIDE or kind == _ACCESS:  # noqa: SIM109 - plain for numba
                    for e in range(transfer_start[s], transfer_start[s + 1]):
                        to = transfer_to[e]
                        t = lab[0][b] + transfer_s[e]
                        w = lab[1][b] + transfer_s[e]
                        c, v = lab[2][b], lab[3][b]
                        if t > limit_s or _beaten(lab, head, k, to, t, w, c, v, dest, n_dest):
                            continue
                        if n_pool == len(p_ref):
                            lab, p_ref = _grow(lab, p_ref)
                        _kill_covered(lab, head[k, to], t, w, c, v)
                        lab[0][n_pool], lab[1][n_pool] = t, w
                        lab[2][n_pool], lab[3][n_pool] = c, v
                        lab[4][n_pool] = _WALK
                        p_ref[n_pool, 0] = s
                        p_ref[n_pool, 1] = b
                        p_ref[n_pool, 2] = transfer_s[e]
                        p_ref[n_pool, 3] = -1
                        lab[5][n_pool] = head[k, to]
                        head[k, to] = n_pool
                        n_pool += 1
                        marked[to] = True
                b = lab[5][b]
        # This round's labels at targets join the destination set, once per egress option.
        for s in range(n_stops):
            if target_start[s] == target_start[s + 1]:
                continue
            b = head[k, s]
            while b >= 0:
                if lab[4][b] <= 0:
                    b = lab[5][b]
                    continue
                for e in range(target_start[s], target_start[s + 1]):
                    t = lab[0][b] + target_t[e]
                    w = lab[1][b] + target_w[e]
                    c = lab[2][b] + target_c[e]
                    v = lab[3][b] | target_v[e]
                    beaten = t > limit_s
                    for d in range(n_dest):
                        if beaten:
                            break
                        beaten = _covers(dest[0][d], dest[1][d], dest[2][d], dest[3][d], t, w, c, v)
                    if not beaten:
                        if n_dest == len(dest_ref):
                            dest, dest_ref = _grow_dest(dest, dest_ref)
                        dest[0][n_dest], dest[1][n_dest] = t, w
                        dest[2][n_dest], dest[3][n_dest] = c, v
                        dest_ref[n_dest, 0], dest_ref[n_dest, 1] = k, b
                        dest_ref[n_dest, 2], dest_ref[n_dest, 3] = s, e
                        n_dest += 1
                        if k > 0:  # walking through a stop sets no pace for the rides
                            slack = max(slower_min_s, int(slower_ratio * (t - start_s)))
                            limit_s = min(limit_s, t + slack)
                b = lab[5][b]
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
                if n_rb > 0 and any_alight[stop_base + position]:
                    for r in range(n_rb):
                        cell = base + (rb_row[r] - first_row) * n_positions + position
                        if not can_alight[cell]:
                            continue
                        t = arrival_s[cell]
                        w, c, v = rb_w[r], rb_c[r], rb_v[r]
                        if group >= 0:
                            c += fare_minor[group, rb_zone[r], stop_zone[s]]
                        if t > limit_s or _beaten(lab, head, k, s, t, w, c, v, dest, n_dest):
                            continue
                        if n_pool == len(p_ref):
                            lab, p_ref = _grow(lab, p_ref)
                        _kill_covered(lab, head[k, s], t, w, c, v)
                        lab[0][n_pool], lab[1][n_pool] = t, w
                        lab[2][n_pool], lab[3][n_pool] = c, v
                        lab[4][n_pool] = _RIDE
                        p_ref[n_pool, 0] = rb_row[r]
                        p_ref[n_pool, 1] = rb_board[r]
                        p_ref[n_pool, 2] = position
                        p_ref[n_pool, 3] = rb_parent[r]
                        lab[5][n_pool] = head[k, s]
                        head[k, s] = n_pool
                        n_pool += 1
                        marked[s] = True
                        by_ride[s] = True
                if position == n_positions - 1 or not any_board[stop_base + position]:
                    continue
                b = head[k - 1, s]
                while b >= 0:
                    if lab[4][b] <= 0:
                        b = lab[5][b]
                        continue
                    ready = lab[0][b] + board_slack_s
                    row = _first_catchable(
                        departure_s, base, n_positions, first_row, end_row, position, ready
                    )
                    w, c, v = lab[1][b], lab[2][b], lab[3][b]
                    zone = stop_zone[s]
                    # The first catchable trip of each alighting class that boards here, up
                    # to the first of class 0 (it alights wherever a later trip would).
                    while row < end_row:
                        if not can_board[base + (row - first_row) * n_positions + position]:
                            row += 1
                            continue
                        cls = trip_class[row]
                        beaten = False
                        for r in range(n_rb):
                            if beaten:
                                break
                            # Boarded in another fare zone, the ride may cost another price;
                            # a trip of another class may alight where this one does not.
                            beaten = (
                                _covers(rb_row[r], rb_w[r], rb_c[r], rb_v[r], row, w, c, v)
                                and (group < 0 or rb_zone[r] == zone)
                                and (rb_class[r] == 0 or rb_class[r] == cls)
                            )
                            if beaten and rb_class[r] == 0:
                                cls = 0  # it beats every later trip as well: stop looking
                        if not beaten:
                            kept = 0
                            for r in range(n_rb):
                                if not (
                                    _covers(row, w, c, v, rb_row[r], rb_w[r], rb_c[r], rb_v[r])
                                    and (group < 0 or rb_zone[r] == zone)
                                    and (cls == 0 or cls == rb_class[r])
                                ):
                                    rb_row[kept] = rb_row[r]
                                    rb_board[kept] = rb_board[r]
                                    rb_w[kept] = rb_w[r]
                                    rb_c[kept] = rb_c[r]
                                    rb_v[kept] = rb_v[r]
                                    rb_zone[kept] = rb_zone[r]
                                    rb_parent[kept] = rb_parent[r]
                                    rb_class[kept] = rb_class[r]
                                    kept += 1
                            n_rb = kept
                            if n_rb == rb_cap:
                                rb_cap *= 2
                                rb_row = np.concatenate((rb_row, np.empty(n_rb, np.int64)))
                                rb_board = np.concatenate((rb_board, np.empty(n_rb, np.int64)))
                                rb_w = np.concatenate((rb_w, np.empty(n_rb, np.int64)))
                                rb_c = np.concatenate((rb_c, np.empty(n_rb, np.int64)))
                                rb_v = np.concatenate((rb_v, np.empty(n_rb, np.int64)))
                                rb_zone = np.concatenate((rb_zone, np.empty(n_rb, np.int64)))
                                rb_parent = np.concatenate((rb_parent, np.empty(n_rb, np.int64)))
                                rb_class = np.concatenate((rb_class, np.empty(n_rb, np.int64)))
                            rb_row[n_rb] = row
                            rb_board[n_rb] = position
                            rb_w[n_rb] = w
                            rb_c[n_rb] = c
                            rb_v[n_rb] = v
                            rb_zone[n_rb] = zone
                            rb_parent[n_rb] = b
                            rb_class[n_rb] = cls
                            n_rb += 1
                        if cls == 0:
                            break
                        row += 1
                    b = lab[5][b]
    return (
        lab[4][:n_pool],
        p_ref[:n_pool],
        dest[0][:n_dest],
        dest[1][:n_dest],
        dest[2][:n_dest],
        dest[3][:n_dest],
        dest_ref[:n_dest],
        n_run,
    )
