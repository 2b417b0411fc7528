"""Traffic for the city's planners: demand, assignment runs and their store, incidents, exports.

Plain functions over a session or a :class:`~marketplace.db.Database`, as the catalogue's are;
the engine's work (assignment, hotspots, scenarios) comes from :mod:`routing` and runs in the
caller's worker thread. The GraphQL layer is :mod:`marketplace.api.traffic.queries`.
"""

from marketplace.traffic.config import TrafficConfig, period_named
from marketplace.traffic.planned import DemandRecorder, record_planned_trip

__all__ = ["DemandRecorder", "TrafficConfig", "period_named", "record_planned_trip"]
