"""Trip planning in the marketplace: the street network, the planner and the live catalogue.

:class:`Planning` lives in ``app.state.planning``. Each plan reads the current catalogue
snapshot (rebuilt after any partner change), keeps only services open at the trip's time and,
when asked, accessible in a wheelchair, then runs the engine's planner. All its methods block:
call them in a worker thread.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlmodel import Session

from marketplace.catalogue.published import ServiceView
from marketplace.catalogue.validation import is_open_at
from marketplace.community import service_ratings
from marketplace.db import Database
from marketplace.models import StreetClosure
from marketplace.planning.catalogue import PlannerCatalogue
from marketplace.planning.places import PlaceSearch
from marketplace.planning.transit_warm_up import TransitWarmUp
from marketplace.streets import StreetsState
from marketplace.traffic.closures import (
    active_closures,
    closed_edges,
    is_active,
    open_closures,
    with_closures,
)
from marketplace.traffic.planned import period_of
from marketplace.traffic.runner import network_sha256
from marketplace.traffic.runs import latest_run, run_segments
from routing.planning.notices import PlanErrorCode
from routing.planning.planner import DEFAULT_AVAILABILITY_MAX_AGE, PlanStopped, TripPlanner
from routing.planning.request import PlanError, PlanRequest, PlanResult
from routing.planning.services import ServiceCatalogue, TransitService
from routing.regions.issy import TIMEZONE
from routing.street.graph import CompactGraph
from routing.street.modes import Mode
from routing.street.network import StreetNetwork

__all__ = ["PlanOutcome", "Planning"]


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """The planner's answer plus the service views its legs refer to (by routing id)."""

    result: PlanResult
    services: dict[str, ServiceView]


class Planning:
    """Plans trips on the loaded street network with the published services."""

    def __init__(
        self,
        streets: StreetsState,
        db: Database,
        *,
        availability_max_age: dt.timedelta = DEFAULT_AVAILABILITY_MAX_AGE,
    ) -> None:
        self.streets = streets
        self._db = db
        self.catalogue = PlannerCatalogue(db)
        # After a timetable change, the network is built in the background (plans that need
        # it meanwhile wait for that build: see marketplace.planning.transit_warm_up).
        self.transit_warm_up = TransitWarmUp(self.warm_transit)
        self.places = PlaceSearch(db, self.catalogue)
        self._planner = (
            TripPlanner(streets.network, availability_max_age=availability_max_age)
            if streets.network is not None
            else None
        )
        self._congested: dict[int, np.ndarray] = {}
        # The drive times of the latest (run, closed edges) asked for: the same array while
        # they hold, so the router's customized hierarchy for it is reused, not redone.
        self._closed: tuple[np.ndarray | None, bytes, np.ndarray] | None = None
        # The closures not reopened, as read at a catalogue version; the edges of the last
        # set of active ones.
        self._closures_at: tuple[int, tuple[StreetClosure, ...]] | None = None
        self._closures_lock = threading.Lock()
        # The latest run of each period (id and network), as read at a catalogue version:
        # storing a run bumps it (marketplace.events.version.CATALOGUE_TABLES).
        self._runs_at: tuple[int, dict[str, tuple[int, str] | None]] = (-1, {})
        self._edges_of: tuple[tuple[object, ...], NDArray[np.int64]] | None = None
        self.started_plans = 0
        """Plans begun in a thread (a plan abandoned before its thread took it never begins)."""
        self.stopped_plans = 0
        """Plans stopped half-way because their caller gave up (a time budget ran out)."""
        self._stopped_lock = threading.Lock()

    def close(self) -> None:
        self.transit_warm_up.close()
        self.catalogue.close()

    def warm_transit(self) -> None:
        """Read the catalogue and build the transit network of every published timetable,
        with today's and tomorrow's indexes, as plans will ask for them (blocking)."""
        if self._planner is None:
            return
        catalogue, _ = self.catalogue.snapshot()
        timetabled = [s for s in catalogue.services if isinstance(s, TransitService)]
        if not timetabled:
            return
        today = dt.datetime.now(TIMEZONE).date()
        for day in (today, today + dt.timedelta(days=1)):
            self._planner.transit_indexes.index(timetabled, day)

    def congested_drive_times(
        self,
        when: dt.datetime,
        session: Session | None = None,
        catalogue_version: int | None = None,
    ) -> np.ndarray | None:
        """Edge times of the drive graph in the traffic of ``when``'s period, if assessed.

        The latest successful assignment of that period (on this very graph) replaces the
        free-flow times of its loaded segments, so car legs reflect the hotspots planners
        see. None when no such run exists: cars then drive at free-flow speed. ``session``:
        an open one to read in (else one of its own). Given the ``catalogue_version`` of the
        snapshot a plan uses, the run found at that version is reused: a stored run bumps
        it, so a plan makes no query for the run until one is stored.
        """
        network = self.streets.network
        if network is None or Mode.DRIVE not in network.routers or when.tzinfo is None:
            return None
        period = period_of(when)
        if period is None:
            return None
        found = self._latest_run(period.name, catalogue_version, session)
        if found is None or found[1] != network_sha256(network):
            return None
        run_id = found[0]
        cached = self._congested.get(run_id)
        if cached is None:
            graph = network.router(Mode.DRIVE).graph
            times = graph.duration_s.copy()
            with contextlib.ExitStack() as stack:
                reading = session or stack.enter_context(self._db.session())
                for segment in run_segments(reading, run_id):
                    if 0 <= segment.edge < times.shape[0]:
                        times[segment.edge] = max(times[segment.edge], segment.congested_time_s)
            self._congested = {run_id: times}  # only the latest run per server matters
            cached = times
        return cached

    def _latest_run(
        self, period: str, version: int | None, session: Session | None
    ) -> tuple[int, str] | None:
        """The id and network fingerprint of ``period``'s latest run: read at catalogue
        ``version`` once, then kept while the version stays (``None``: read now)."""
        with self._closures_lock:
            at, runs = self._runs_at
            if version is not None and at == version and period in runs:
                return runs[period]
        with contextlib.ExitStack() as stack:
            reading = session or stack.enter_context(self._db.session())
            run = latest_run(reading, period)
        found = None if run is None or run.id is None else (run.id, run.network_sha256)
        if version is not None:
            with self._closures_lock:
                at, runs = self._runs_at
                self._runs_at = (
                    version,
                    {**runs, period: found} if at == version else {period: found},
                )
        return found

    def drive_times(
        self, when: dt.datetime, catalogue_version: int | None = None
    ) -> np.ndarray | None:
        """Edge times of the drive graph for a car leaving at ``when``: the period's congested
        times (:meth:`congested_drive_times`) with the streets closed at ``when`` impassable.

        None when neither applies (cars drive at free-flow speed). The array stays the same
        object while the run and the closed edges do, so the router customizes its hierarchy
        once per change, and every process reads closures from the database, whose writes
        bump the catalogue version. Given the ``catalogue_version`` of the snapshot a plan
        uses, the closures read at that version are reused (filtered by ``when`` here), so a
        plan makes one query for the traffic run and none for closures.
        """
        network = self.streets.network
        if network is None or Mode.DRIVE not in network.routers or when.tzinfo is None:
            return self.congested_drive_times(when)
        graph = network.router(Mode.DRIVE).graph
        if catalogue_version is not None and self._read_at(catalogue_version, when):
            # The run and the closures as read at this version: no database round trip.
            congested = self.congested_drive_times(when, None, catalogue_version)
            closures = self._closures(None, when, catalogue_version)
        else:
            with self._db.session() as session:
                congested = self.congested_drive_times(when, session, catalogue_version)
                closures = self._closures(session, when, catalogue_version)
        edges = self._closed_edges(graph, closures)
        if edges.size == 0:
            return congested
        closed = edges.tobytes()
        kept = self._closed
        if kept is not None and kept[0] is congested and kept[1] == closed:
            return kept[2]
        times = with_closures(congested if congested is not None else graph.duration_s, edges)
        self._closed = (congested, closed, times)
        return times

    def _read_at(self, version: int, when: dt.datetime) -> bool:
        """Whether ``when``'s run and the closures were read at catalogue ``version``."""
        period = period_of(when)
        with self._closures_lock:
            at, runs = self._runs_at
            closures = self._closures_at
        return (
            closures is not None
            and closures[0] == version
            and (period is None or (at == version and period.name in runs))
        )

    def _closures(
        self, session: Session | None, when: dt.datetime, version: int | None
    ) -> tuple[StreetClosure, ...]:
        """The closures in force at ``when``: from the ones read at catalogue ``version``
        when that is the version last read (closures are catalogue rows: any change to them
        bumps it), else from the database (``session`` is then required)."""
        if version is None:
            assert session is not None
            return tuple(active_closures(session, when))
        with self._closures_lock:
            kept = self._closures_at
        if kept is None or kept[0] != version:
            assert session is not None
            kept = (version, tuple(open_closures(session)))
            with self._closures_lock:
                self._closures_at = kept
        return tuple(c for c in kept[1] if is_active(c, when))

    def _closed_edges(
        self, graph: CompactGraph, closures: tuple[StreetClosure, ...]
    ) -> NDArray[np.int64]:
        """:func:`closed_edges`, remembered for the last set of closures (by id and row)."""
        key = tuple((c.id, c.street, c.osm_way_id) for c in closures)
        kept = self._edges_of
        if kept is not None and kept[0] == key:
            return kept[1]
        edges = closed_edges(graph, closures)
        self._edges_of = (key, edges)
        return edges

    def network(self) -> StreetNetwork:
        """The street network (raises the load problem, which names the fix, if none)."""
        return self.streets.require()

    def plan(
        self,
        request: PlanRequest,
        *,
        min_rating: float | None = None,
        stop: threading.Event | None = None,
    ) -> PlanOutcome:
        """Plan ``request`` on the current catalogue (see :meth:`TripPlanner.plan`).

        ``min_rating`` keeps only services whose residents' average rating reaches it
        (services nobody has rated yet are left out too: they have not earned it). ``stop``,
        once set, ends the plan at its next step with :class:`PlanStopped` (counted in
        :attr:`stopped_plans`).
        """
        with self._stopped_lock:
            self.started_plans += 1
        self.network()
        assert self._planner is not None
        catalogue, views = self.catalogue.snapshot()
        ratings: dict[str, float] = {}
        if min_rating is not None:
            with self._db.session() as session:
                found = service_ratings(session, [int(sid) for sid in views])
            ratings = {str(sid): average for sid, average in found.items()}
        usable, notes = _usable(catalogue, views, request, min_rating, ratings)
        try:
            result = self._planner.plan(
                request,
                usable,
                drive_duration_s=self.drive_times(request.time, catalogue.version),
                stop=stop,
            )
        except PlanStopped:
            with self._stopped_lock:
                self.stopped_plans += 1
            raise
        if notes:
            result = dataclasses.replace(result, errors=result.errors + tuple(notes))
        return PlanOutcome(result, views)


def _usable(
    catalogue: ServiceCatalogue,
    views: dict[str, ServiceView],
    request: PlanRequest,
    min_rating: float | None,
    ratings: dict[str, float],
) -> tuple[ServiceCatalogue, list[PlanError]]:
    """The services that may serve this trip, and why asked-for others may not."""
    asked = request.only_services or frozenset()
    kept, notes = [], []
    for service in catalogue.services:
        view = views.get(service.id)
        if view is None:
            continue
        reason = None
        if not is_open_at(list(view.opening_hours) if view.opening_hours else None, request.time):
            reason = f"{view.name} is closed at that time"
        elif request.preferences.wheelchair and not view.wheelchair_accessible:
            reason = f"{view.name} is not wheelchair accessible"
        elif min_rating is not None and ratings.get(service.id, 0.0) < min_rating:
            reason = f"{view.name} is rated below {min_rating:g}"
        if reason is None:
            kept.append(service)
        elif service.id in asked:
            notes.append(PlanError(PlanErrorCode.NO_SERVICE_AVAILABLE, reason, "modes"))
    # The kinds stay those published: a service closed now is not "none published".
    return ServiceCatalogue(tuple(kept), catalogue.version, catalogue.kinds()), notes
