"""One trip planned when a server starts, so that no commuter's first plan pays for it.

A server's first plan is its slowest by far: numba loads (or, on a fresh install, compiles)
every kernel the plan touches — snapping, the customizable hierarchy's queries and
customization, the McRAPTOR search — and the catalogue snapshot and the drive times are read
for the first time. Seen from outside (a fresh clone, ``make run``, the page in a browser on a
busy machine), the first search sat on "Searching..." past 20 s while the next ones answered
in well under a second. :class:`WarmUp` plans one trip with every personal mode and every
service kind, in a daemon thread, as soon as the server is up; ``/healthz`` says when it is
done (``warm``). Requests are served meanwhile: a plan that arrives first waits for the same
compilations, never for the warm-up itself.

The trip joins two street nodes about a kilometre apart around the middle of the walk graph
(real points of the loaded network, nothing made up), departing now in the region's zone.
Whatever the warm-up meets (no route, a service problem) is logged and ends it: it never
stops the server.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

import numpy as np

from marketplace.planning.plans import Planning
from routing.planning.request import PlanRequest
from routing.regions.issy import TIMEZONE
from routing.street.modes import Mode

__all__ = ["WARM_UP_TRIP_M", "WarmUp", "warm_up_trip"]

log = logging.getLogger(__name__)

WARM_UP_TRIP_M = 1000.0
"""About how far apart the warm-up trip's ends are (a typical short trip in Issy)."""

_M_PER_DEG_LAT = 111_320.0


def warm_up_trip(planning: Planning) -> tuple[tuple[float, float], tuple[float, float]]:
    """Two nodes of the walk graph (else the first graph loaded): the one nearest the
    graph's middle and the one nearest :data:`WARM_UP_TRIP_M` east of it."""
    network = planning.network()
    mode = Mode.WALK if Mode.WALK in network.routers else next(iter(network.routers))
    graph = network.router(mode).graph
    lat, lon = graph.node_lat, graph.node_lon
    mid_lat = float(np.median(lat))
    m_per_deg_lon = _M_PER_DEG_LAT * np.cos(np.radians(mid_lat))

    def nearest(to_lat: float, to_lon: float) -> int:
        dy = (lat - to_lat) * _M_PER_DEG_LAT
        dx = (lon - to_lon) * m_per_deg_lon
        return int(np.argmin(dx * dx + dy * dy))

    start = nearest(mid_lat, float(np.median(lon)))
    end = nearest(float(lat[start]), float(lon[start]) + WARM_UP_TRIP_M / m_per_deg_lon)
    return (float(lat[start]), float(lon[start])), (float(lat[end]), float(lon[end]))


class WarmUp:
    """Plans one trip in a daemon thread; :attr:`done` once it has (or could not)."""

    def __init__(self, planning: Planning) -> None:
        self._planning = planning
        self._done = threading.Event()
        self.seconds: float | None = None
        """How long the warm-up plan took (``None`` until it ends or when it failed)."""
        self.itineraries = 0
        """How many itineraries the warm-up plan found (the kernels it ran)."""
        self.problem: str | None = None
        """Why the warm-up could not plan (no street network, an error), else ``None``."""
        self._thread = threading.Thread(target=self._run, name="plan-warm-up", daemon=True)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def start(self) -> None:
        self._thread.start()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the warm-up ended (tests, benchmarks); whether it did in time."""
        return self._done.wait(timeout_s)

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            origin, destination = warm_up_trip(self._planning)
            request = PlanRequest(
                origin=origin,
                destination=destination,
                time=dt.datetime.now(TIMEZONE).replace(microsecond=0),
            )
            result = self._planning.plan(request).result
            self.seconds = time.perf_counter() - started
            self.itineraries = len(result.itineraries)
            log.info(
                "warm-up plan answered in %.1f s (%d itineraries): the next plans find "
                "their kernels compiled and the catalogue read",
                self.seconds,
                self.itineraries,
            )
        except Exception as exc:  # never stops the server: the first real plan says why
            self.problem = f"{type(exc).__name__}: {exc}"
            log.warning("warm-up plan not made (%s); the first plan will pay for it", exc)
        finally:
            self._done.set()
