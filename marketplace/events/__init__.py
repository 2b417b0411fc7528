"""The one event bus: changes recorded by storage functions, published after each commit.

Catalogue changes (:mod:`marketplace.events.catalogue`) refresh the trip planner and feed
the service subscriptions; community events (:mod:`marketplace.events.community`) reach the
followers of a suggestion. :mod:`marketplace.events.live` carries both across processes.
"""

from marketplace.events.bus import Event, publish, subscribe
from marketplace.events.catalogue import CatalogueEvent, ChangeKind
from marketplace.events.changes import record_community_event, record_service_change
from marketplace.events.community import CommunityEvent, CommunityEventKind

__all__ = [
    "CatalogueEvent",
    "ChangeKind",
    "CommunityEvent",
    "CommunityEventKind",
    "Event",
    "publish",
    "record_community_event",
    "record_service_change",
    "subscribe",
]
