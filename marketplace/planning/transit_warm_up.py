"""The transit network built ahead of plans after a timetable change (issue 15).

A GTFS import (in a request, a job, or another process whose event reaches this one) is
announced by a :class:`~marketplace.events.catalogue.CatalogueEvent` of kind ``TIMETABLE``.
:class:`TransitWarmUp` then reads the catalogue and builds the network and today's and
tomorrow's RAPTOR indexes in a background thread, so that the first commuter's plan after a
big import finds them built rather than paying the build inside its budget.

The rule that keeps plans right: a plan never takes a network from the warm-up. It checks
the catalogue version as always (:meth:`PlannerCatalogue.snapshot`); while the warm-up is
reading the catalogue or building the network, a plan that needs them waits for that very
work (the catalogue's rebuild lock, the transit index's lock) and takes its result, which
includes every service whose publication committed before the plan began. A plan that
arrives first builds what it needs itself; the warm-up then finds it built. So a service
whose publish returned is in the very next plan, warmed or not; the warm-up only moves the
cost off commuters' plans when the change came early enough.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from marketplace.events.bus import subscribe
from marketplace.events.catalogue import CatalogueEvent, ChangeKind

__all__ = ["TransitWarmUp"]

log = logging.getLogger(__name__)


class TransitWarmUp:
    """Runs ``warm`` in a background thread after each timetable change it hears.

    Changes heard while a warm-up runs make one more run after it (never two at once).
    """

    def __init__(self, warm: Callable[[], None]) -> None:
        self._warm = warm
        self._lock = threading.Lock()
        self._pending = False
        self._thread: threading.Thread | None = None
        self._closed = False
        self.runs = 0
        """Warm-ups finished so far."""
        self._unsubscribe = subscribe(CatalogueEvent, self._heard)

    def _heard(self, event: CatalogueEvent) -> None:
        if event.kind is ChangeKind.TIMETABLE:
            self.request()

    def request(self) -> None:
        """Warm up soon (at once, or right after the run under way)."""
        with self._lock:
            if self._closed:
                return
            self._pending = True
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="transit-warm-up", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending or self._closed:
                    self._thread = None
                    return
                self._pending = False
            try:
                self._warm()
            except Exception:  # a failed warm-up costs the next plan its build, no more
                log.exception("transit warm-up failed; the next plan builds the network")
            with self._lock:
                self.runs += 1

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait for the warm-up under way (if any) to finish; whether none runs now."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout_s)
        with self._lock:
            return self._thread is None

    def close(self) -> None:
        """Hear no more changes; a run under way finishes on its own."""
        self._unsubscribe()
        with self._lock:
            self._closed = True
